// Experiment (bench/cold-init.ts --http-shim): `node:http` without Node's ESM facade, whose
// construction reads every export and so loads undici through node:http's lazy getters.
module.exports = process.getBuiltinModule('node:http');

/**
 * Loads the real Lambda handler modules lazily, the first time one is needed and after the
 * runtime has set the environment they read at cold start. Like a warm Lambda container, a
 * loaded module stays loaded for the life of the process. The functions, their entry files
 * and timeouts are the CDK stack's (`infra/cdk/functions.ts`); a registry can also load other
 * files per function (the deploy-parity test loads the bundles `cdk synth` built).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type ServiceFunctionName } from '#infra/cdk/functions.ts';
import { lambdaContext } from './lambda-events.ts';

export type LocalFunctionName = ServiceFunctionName;

export type LocalHandler = (event: never, context: Context) => Promise<unknown>;

/** Per-function timeouts for the context's `getRemainingTimeInMillis`: the stack's. */
export const FUNCTION_TIMEOUT_MS = Object.fromEntries(
  Object.entries(FUNCTIONS).map(([name, def]) => [name, def.timeoutSeconds * 1000]),
) as Record<LocalFunctionName, number>;

/** A function's module is missing or could not be loaded; the runtime keeps serving the rest. */
export class HandlerUnavailableError extends Error {
  readonly functionName: LocalFunctionName;

  constructor(functionName: LocalFunctionName, reason: string, options?: ErrorOptions) {
    super(`functions/${functionName}.ts ${reason}`, options);
    this.name = 'HandlerUnavailableError';
    this.functionName = functionName;
  }
}

export interface FunctionRegistry {
  /** The handler of `name`; throws `HandlerUnavailableError` when it cannot be loaded. */
  load(name: LocalFunctionName): Promise<LocalHandler>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a function's module is: a directory holding `<name>.ts`, or a file per function. */
export type ModuleLocation = string | ((name: LocalFunctionName) => string);

/**
 * The registry of the real modules (the stack's entry files), with optional stand-ins (tests).
 * Failures are not cached: a module added while the runtime runs is picked up on the next call.
 */
export function functionRegistry(
  overrides: Partial<Record<LocalFunctionName, LocalHandler>> = {},
  location: ModuleLocation = (name) => join(REPO_ROOT, FUNCTIONS[name].entry),
): FunctionRegistry {
  const fileOf = typeof location === 'string' ? (name: string) => join(location, `${name}.ts`) : location;
  const loaded = new Map<LocalFunctionName, LocalHandler>();
  return {
    async load(name) {
      const override = overrides[name];
      if (override) return override;
      const cached = loaded.get(name);
      if (cached) return cached;
      const file = fileOf(name);
      if (!existsSync(file)) throw new HandlerUnavailableError(name, 'does not exist (yet)');
      let module: { handler?: unknown };
      try {
        module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new HandlerUnavailableError(name, `could not be loaded: ${detail}`, { cause: error });
      }
      if (typeof module.handler !== 'function') {
        throw new HandlerUnavailableError(name, 'does not export a `handler` function');
      }
      const handler = module.handler as LocalHandler;
      loaded.set(name, handler);
      return handler;
    },
  };
}

/** Loads `name` and invokes it once with `event` and a fresh context, as Lambda would. */
export async function invoke(
  registry: FunctionRegistry,
  name: LocalFunctionName,
  event: unknown,
  region: string,
): Promise<unknown> {
  const handler = await registry.load(name);
  return handler(event as never, lambdaContext(name, FUNCTION_TIMEOUT_MS[name], region));
}

/**
 * Loads the real Lambda handler modules (`functions/<name>.ts`) lazily, the first time one
 * is needed and after the runtime has set the environment they read at cold start. Like a
 * warm Lambda container, a loaded module stays loaded for the life of the process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '#http/routes.ts';
import { lambdaContext } from './lambda-events.ts';

export type LocalFunctionName =
  | FunctionName
  | 'refund-processor'
  | 'purger'
  | 'reconciler'
  | 'submitted-reconciler';

export type LocalHandler = (event: never, context: Context) => Promise<unknown>;

/** Per-function timeouts for the context's `getRemainingTimeInMillis` (API Gateway caps at 30 s). */
export const FUNCTION_TIMEOUT_MS: Record<LocalFunctionName, number> = {
  quote: 29_000,
  unsubscribe: 29_000,
  'cancel-renewal': 29_000,
  reads: 29_000,
  ingest: 29_000,
  'stripe-webhook': 29_000,
  'refund-processor': 30_000,
  purger: 60_000,
  reconciler: 60_000,
  'submitted-reconciler': 60_000,
};

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

const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * The registry of the real modules under `functions/`, with optional stand-ins (tests).
 * Failures are not cached: a module added while the runtime runs is picked up on the next call.
 */
export function functionRegistry(
  overrides: Partial<Record<LocalFunctionName, LocalHandler>> = {},
  dir: string = FUNCTIONS_DIR,
): FunctionRegistry {
  const loaded = new Map<LocalFunctionName, LocalHandler>();
  return {
    async load(name) {
      const override = overrides[name];
      if (override) return override;
      const cached = loaded.get(name);
      if (cached) return cached;
      const file = `${dir.replace(/\/$/, '')}/${name}.ts`;
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

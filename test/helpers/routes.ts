import assert from 'node:assert/strict';
import type { Express } from 'express';

// The walker fails, naming the file to teach, on anything it cannot list
// faithfully, so that no route escapes the tests built on it.

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: { name?: string; stack?: unknown };
  rawPath?: unknown;
}

function routesOf(stack: RouterLayer[], where: string): string[] {
  const found: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const { path, methods } = layer.route;
      assert.equal(typeof path, 'string', `${where} has a route at ${String(path)} (not a string path): teach the walker in test/helpers/routes.ts about it`);
      assert.ok(!methods._all, `${where} has an .all() route at ${String(path)}: teach the walker in test/helpers/routes.ts about it`);
      for (const [method, on] of Object.entries(methods)) if (on) found.push(`${method.toUpperCase()} ${String(path)}`);
    } else if (Array.isArray(layer.handle.stack)) {
      assert.equal(
        layer.rawPath,
        '/',
        `${where} mounts a router at ${String(layer.rawPath)}; the walker only knows routers mounted at '/': teach test/helpers/routes.ts to prefix the paths of this router`,
      );
      found.push(...routesOf(layer.handle.stack as RouterLayer[], `the router in ${where}`));
    } else {
      assert.notEqual(
        layer.handle.name,
        'mounted_app',
        `${where} mounts a sub-app at ${String(layer.rawPath)}: teach the walker in test/helpers/routes.ts to list its routes`,
      );
    }
  }
  return found;
}

/** Every route of the app as `METHOD /path`, read from the Express 5 router itself (the `router` package v2). */
export const appRoutes = (app: Express): string[] => [...new Set(routesOf((app.router as unknown as { stack: RouterLayer[] }).stack, 'the app'))];

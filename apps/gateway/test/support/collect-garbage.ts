import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Whether something can be collected is a question only a collection answers; vitest's workers
// run without --expose-gc, and V8 hands out `gc` to contexts made after the flag is set.
setFlagsFromString('--expose-gc');

/** A full garbage collection, now. */
export const collectGarbage = runInNewContext('gc') as () => void;

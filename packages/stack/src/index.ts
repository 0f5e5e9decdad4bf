export { startStack, writePersonas, REPO_ROOT, type Stack, type StackOptions } from './stack.js';
export { freePort } from './free-port.js';
export type { LogMode } from './process.js';

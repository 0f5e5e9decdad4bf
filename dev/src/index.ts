export { agencySubgraphs, startStack, writePersonas, REPO_ROOT, type Stack, type StackOptions } from './stack.js';
export { startFront, type Front } from './front.js';
export { freePort } from '@macpt/kit';
export { startProcess, stopProcess, waitForHealth, type LogMode, type StackProcess } from './process.js';
export { seededWorldKey, seededWorldOf } from './seed.js';

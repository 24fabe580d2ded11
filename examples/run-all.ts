/**
 * `npm run examples`: runs every example in its default size.
 *
 *   npm run examples -- [--backend cpu|wasm]
 */
import { parseArgs } from 'node:util';
import { useBackend } from './backend.js';
import { workedExample } from './worked-example.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' } } });
const backend = await useBackend(values.backend);

console.log(`tfjs-entropy examples (backend: ${backend})\n`);
console.log('== worked example: entropy, cross-entropy and KL divergence ==');
console.log(workedExample());

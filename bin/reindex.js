#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader: no build step between a
// checkout and `npm start`, and the same sources the tests exercise.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);

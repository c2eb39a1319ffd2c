#!/usr/bin/env node
import { loadEntry } from './entry.js';

const { main } = await loadEntry('cli/main');
process.exitCode = await main(process.argv);

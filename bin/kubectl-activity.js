#!/usr/bin/env node
// kubectl finds this on PATH as the `kubectl activity` plugin.
import { loadEntry } from './entry.js';

const { main } = await loadEntry('cli/kubectl-activity/main');
process.exitCode = await main(process.argv);

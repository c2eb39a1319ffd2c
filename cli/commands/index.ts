import { registerBench } from './bench.js';
import type { RegisterCommand } from './command.js';
import { registerDemo } from './demo.js';
import { registerDemoData } from './demo-data.js';
import { registerMigrate } from './migrate.js';
import { registerNatsSetup } from './nats-setup.js';
import { registerPreview } from './preview.js';
import { registerRun } from './run.js';
import { registerUp } from './up.js';

// Each subcommand lives in its own file and registers itself here.
export const commands: RegisterCommand[] = [registerDemo, registerRun, registerMigrate, registerDemoData, registerNatsSetup, registerPreview, registerBench, registerUp];

import type { RegisterCommand } from './command.js';
import { registerNatsSetup } from './nats-setup.js';
import { registerPreview } from './preview.js';

// Each subcommand lives in its own file and registers itself here.
export const commands: RegisterCommand[] = [registerNatsSetup, registerPreview];

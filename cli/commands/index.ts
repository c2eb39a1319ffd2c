import type { RegisterCommand } from './command.js';

// Each subcommand lives in its own file and registers itself here.
export const commands: RegisterCommand[] = [];

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config.js';
import { logToStderr } from '../logger.js';
import { UserInputError } from '../shared/user-input-error.js';
import { COMMANDS, type Command } from './commands/index.js';

export class UsageError extends Error {}

function usage(): string {
  const lines = COMMANDS.map((command) => `  feedlog ${command.usage}\n      ${command.summary}`);
  return `Usage:\n${lines.join('\n')}\n\nRun through npm as: npm run feedlog -- <command> ...`;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((word, index) => argv[index] === word)) return { command, rest: argv.slice(words.length) };
  }
  throw new UsageError(argv.length === 0 ? 'No command given.' : `Unknown command: ${argv.slice(0, 2).join(' ')}.`);
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const { command, rest } = findCommand(argv);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true } as ParseArgsConfig);
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\nUsage: feedlog ${command.usage}`);
    }
    if (command.name !== 'serve') logToStderr();
    await command.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`feedlog: ${error.message}\n${error.message.includes('Usage:') ? '' : `\n${usage()}\n`}`);
      return 2;
    }
    if (error instanceof UserInputError || error instanceof ConfigError) {
      process.stderr.write(`feedlog: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`feedlog: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const exitCode = await main(process.argv.slice(2));
// serve keeps running; every other command ends here.
if (exitCode !== 0 || process.argv[2] !== 'serve') process.exit(exitCode);

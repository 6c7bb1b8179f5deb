import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EmbeddedPostgresError } from '../db/embedded-error.js';
import { ConfigError } from '../shared/config-error.js';
import { DomainError } from '../shared/errors.js';
import { COMMANDS, type Command } from './commands/index.js';
import { UsageError } from './commands/shared.js';

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

function parse(command: Command, rest: string[]): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true } as ParseArgsConfig);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const names = command.args ?? [];
  const { positionals } = parsed;
  if (positionals.length < names.length) throw new UsageError(`Missing <${names[positionals.length]}>.`);
  if (positionals.length > names.length) throw new UsageError(`Unexpected argument '${positionals[names.length]}'.`);
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let command: Command | undefined;
  try {
    const found = findCommand(argv);
    command = found.command;
    const { values, positionals } = parse(command, found.rest);
    if (command.name !== 'serve' && command.name !== 'demo') (await import('../logger.js')).logToStderr();
    await command.run(values, positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      // A known command shows its own usage line; otherwise the whole usage follows.
      process.stderr.write(`feedlog: ${error.message}\n${command ? `Usage: feedlog ${command.usage}\n` : `\n${usage()}\n`}`);
      return 2;
    }
    if (error instanceof DomainError || error instanceof ConfigError || error instanceof EmbeddedPostgresError) {
      process.stderr.write(`feedlog: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`feedlog: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const exitCode = await main(process.argv.slice(2));
// serve and demo keep running (demo --once ends itself); every other command ends here.
if (exitCode !== 0 || !['serve', 'demo'].includes(process.argv[2] ?? '')) process.exit(exitCode);

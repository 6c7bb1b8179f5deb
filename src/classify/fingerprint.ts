/**
 * A fingerprint of an engine's text: the same kind of failure gives the same fingerprint
 * whatever the values in it, so "Target API timeout after 20091 ms (request 2a7be0b)"
 * and "... after 36218 ms (request 4f67a6a7)" are one group of unclassified errors.
 *
 * Replaced, in this order (each step sees the placeholders of the steps before):
 *   quoted strings -> <str>, emails -> <email>, UUIDs -> <uuid>,
 *   the token after a word that announces an id (request, id, trace, ref...) -> <id>,
 *   tokens mixing digits with letters or underscores (2a7be0b, 4512_10293) -> <id>,
 *   numbers -> <n>.
 * The announced-id step exists because a hex request id is sometimes all digits
 * (d9799563 could as well be 49799563): it must not become <n> then.
 */
import { collapseWhitespace, QUOTED_STRETCH, removeInvisible } from './normalise.js';

const EMAIL = /[^\s@'"<>()[\]]+@[^\s@'"<>()[\]]+\.[^\s@'"<>()[\].]+/gu;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/giu;
const ANNOUNCED_ID =
  /\b(request|req|trace|span|correlation|reference|ref|transaction|txn|job|run|id|identifier)([\s_-]*(?:id)?\s*[:#=]?\s*)(?!<)[\p{L}\p{N}_-]*\p{N}[\p{L}\p{N}_-]*/giu;
const MIXED_TOKEN = /(?<![\p{L}\p{N}_<-])(?=[\p{L}\p{N}_-]*\p{N})(?=[\p{L}\p{N}_-]*[\p{L}_])[\p{L}\p{N}_-]+(?![\p{L}\p{N}_>-])/gu;
const NUMBER = /\p{N}+(?:[.,]\p{N}+)*/gu;

export function fingerprintText(text: string | null | undefined): string {
  if (typeof text !== 'string') return '';
  const clean = removeInvisible(text).normalize('NFC');
  return collapseWhitespace(
    clean
      .replace(QUOTED_STRETCH, '<str>')
      .replace(EMAIL, '<email>')
      .replace(UUID, '<uuid>')
      .replace(ANNOUNCED_ID, '$1$2<id>')
      .replace(MIXED_TOKEN, '<id>')
      .replace(NUMBER, '<n>'),
  );
}

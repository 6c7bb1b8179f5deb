/**
 * The grammar of engine texts: what a sentence an engine wrote says, as one of our codes.
 * It recognises wordings in general (error-codes.md), not a list of sentences.
 *
 * A text is read in four steps, each on the result of the one before:
 *
 *   1. Normalise (engine-text-normalise.ts): NFKC, lower case, one kind of quote, one
 *      space between words, invisible characters dropped, each character remembering
 *      where it came from, so that values can be sliced from the text as written.
 *   2. Find the values and take them out: quoted ('X', "X", ‘X’, «X»), or unquoted after
 *      an introducer ("with name X", "named X", "with Feed id X"), an unquoted value
 *      ending where the predicate starts ("... with name Kitchen porter does not exist").
 *      Values are masked before any keyword is read, so "Department with name Archived
 *      Staff does not exist" is about a department, not an archived field.
 *   3. Split into clauses (at , ; . ! ?) and parts (at :). The parts of a clause are read
 *      alone, then the clause as a whole ("Validation failed: date_of_birth"); the first
 *      clause that says something wins ("Employee ... not processed, Job Title with name
 *      X does not exist": the first clause says nothing we classify).
 *   4. In a clause, find the predicates (engine-lexicon.ts), strongest first: not exist
 *      (does not exist, doesn't exist, not found, unknown, is not in, no such, could not
 *      map, "No X named Y exists"), archived, in use (already in use, already exists,
 *      exists already, taken, duplicate), missing (required, missing, empty, must be
 *      provided), invalid. For each, the subject is the noun phrase it speaks of: the
 *      first one before it that is not the object of a preposition ("Learning plan for
 *      job title X not found" is about a learning plan), else the first after it
 *      ("Unknown job title X", "Could not map department X"). Nouns that stand together
 *      make one phrase, and its kind decides: "course title" and "role permission" are
 *      not attributes, "user email" and "required field email" are. A subject that is not
 *      an employee attribute (a course, a user account) makes no finding, and the next
 *      predicate is tried.
 *
 * Why this order: a value can contain any word, so it must be gone before keywords are
 * read; "not exist" comes first because a value that does not exist is the commonest
 * failure and the other predicates' words turn up inside its sentences ("Required field
 * 'email' was not found" is still read by its subject: a required field that is missing).
 */
import type { ErrorCode } from './error-enums.js';
import { EMPLOYEE_ATTRIBUTES, type RecordField } from './feed-enums.js';
import { CATALOG_LIST_OF, type CatalogAttribute, MISMATCH_CODE_OF } from './catalog-match.js';
import { NormalisedText } from './engine-text-normalise.js';
import {
  ARCHIVED,
  CLAUSE_END,
  EMAIL_ADDRESS,
  IN_USE,
  INTRODUCER,
  INVALID,
  MISSING,
  NEGATION_FIRST,
  NEGATION_FIRST_MISSING,
  NEGATION_FIRST_NOT_EXIST,
  NOT_A_VALUE_START,
  NOT_EXIST,
  PART_END,
  PHRASES_BY_FIRST_WORD,
  PREPOSITIONS,
  type Phrase,
  type SubjectKind,
  VALUE_END,
  WEAK_NOUN_MAY_FOLLOW,
} from './engine-lexicon.js';

export interface EngineFinding {
  code: ErrorCode;
  field: RecordField | null;
  /** The value the text names (the unknown job title, the archived field's name), as written; null if none. */
  value: string | null;
}

interface Span {
  /** Start and end (exclusive) in the normalised text. */
  start: number;
  end: number;
}

interface Value extends Span {
  /** The value exactly as the engine wrote it. */
  text: string;
}

interface Token extends Span {
  word: string;
}

/** Nouns standing together ("course title", "required field email"), read as one subject. */
interface NounPhrase extends Span {
  kind: SubjectKind;
  field: RecordField | null;
  required: boolean;
  /** It says "field" ("Job title field", "mandatory field Branch"): it names a form field. */
  namesFormField: boolean;
  /** Where its first attribute noun starts (the archived field's name starts there). */
  attributeStart: number;
  /** It follows a preposition ("for job title X"): an object, a subject only when there is no other. */
  afterPreposition: boolean;
  /** It is part of a value's introducer ("with external Identifier 4512_1"): it describes the value, not the subject. */
  inIntroducer: boolean;
}

/** A text after steps 1 and 2. */
interface Reading {
  normalised: NormalisedText;
  /** The normalised text with every value's characters replaced by '#'. */
  masked: string;
  values: Value[];
  introducers: Span[];
  tokens: Token[];
  nounPhrases: NounPhrase[];
}

// ---------------------------------------------------------------------------------------
// Step 2: values.

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const WHITE_SPACE = /\p{White_Space}/u;

function isWordCharacter(char: string | undefined): boolean {
  return char !== undefined && WORD_CHARACTER.test(char);
}

const QUOTE = /['"]/gu;

/**
 * Quoted stretches: "..." anywhere; '...' only where the quote is not inside a word, so
 * that apostrophes ("doesn't", "O'Brien") neither open nor close one.
 */
function quotedSpans(text: string): Span[] {
  const spans: Span[] = [];
  QUOTE.lastIndex = 0;
  for (let found = QUOTE.exec(text); found; found = QUOTE.exec(text)) {
    const open = found.index;
    let close: number;
    if (found[0] === '"') {
      close = text.indexOf('"', open + 1);
    } else {
      if (isWordCharacter(text[open - 1])) continue;
      close = text.indexOf("'", open + 1);
      while (close >= 0 && isWordCharacter(text[close + 1])) close = text.indexOf("'", close + 1);
    }
    if (close < 0) continue;
    spans.push({ start: open, end: close + 1 });
    QUOTE.lastIndex = close + 1;
  }
  return spans;
}

/** The text with the characters of each span replaced by '#' (spans in order, not overlapping). */
function masked(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let from = 0;
  for (const span of spans) {
    out += text.slice(from, span.start) + '#'.repeat(span.end - span.start);
    from = span.end;
  }
  return out + text.slice(from);
}

const INTRODUCER_ANYWHERE = new RegExp(INTRODUCER.source);

/**
 * Whether an unquoted value runs on past a comma or full stop ("Food, Beverage does not
 * exist", "St. Albans does not exist"): it does when the text up to the predicate names
 * nothing of its own (no noun of the grammar, no introducer, no quote).
 */
function valueRunsOn(masked: string, from: number, predicateAt: number | null): boolean {
  if (predicateAt === null) return false;
  const stretch = masked.slice(from, predicateAt);
  return !/['"#]/u.test(stretch) && !INTRODUCER_ANYWHERE.test(`${stretch} `) && nounPhrasesOf(stretch, tokensOf(stretch), 0, stretch.length).length === 0;
}

/** Where an unquoted value that starts at `start` ends, and whether a predicate ends it. */
function unquotedValueEnd(masked: string, start: number): { end: number; predicateAt: number | null } {
  VALUE_END.lastIndex = start;
  const predicate = VALUE_END.exec(masked);
  const predicateAt = predicate ? predicate.index : null;
  const stop = predicateAt ?? masked.length;
  for (const boundary of [CLAUSE_END, PART_END]) {
    boundary.lastIndex = start;
    for (let found = boundary.exec(masked); found && found.index < stop; found = boundary.exec(masked)) {
      if (!valueRunsOn(masked, found.index + 1, predicateAt)) return { end: found.index, predicateAt: null };
    }
  }
  return { end: stop, predicateAt };
}

/** Step 2: the quoted values, then the unquoted values after an introducer, each masked. */
function findValues(normalised: NormalisedText): { masked: string; values: Value[]; introducers: Span[] } {
  const { text, raw } = normalised;
  const values: Value[] = [];
  const quotedInsides: Span[] = [];
  for (const span of quotedSpans(text)) {
    values.push({ ...span, text: raw.slice(normalised.rawEnd(span.start), normalised.rawStart(span.end - 1)) });
    quotedInsides.push({ start: span.start + 1, end: span.end - 1 });
  }
  const quotesMasked = masked(text, quotedInsides);

  const introducers: Span[] = [];
  const unquoted: Span[] = [];
  let taken = 0;
  INTRODUCER.lastIndex = 0;
  for (let found = INTRODUCER.exec(quotesMasked); found; found = INTRODUCER.exec(quotesMasked)) {
    const start = found.index + found[0].length;
    if (found.index < taken || start >= text.length) continue;
    introducers.push({ start: found.index, end: start - 1 });
    const next = quotesMasked[start];
    if (next === '"' || next === "'" || next === '#' || NOT_A_VALUE_START.test(quotesMasked.slice(start, start + 12))) continue;

    const { end, predicateAt } = unquotedValueEnd(quotesMasked, start);
    // The engine writes "with name {value} does not exist": drop the one space on each side.
    let rawFrom = normalised.rawEnd(start - 2);
    if (WHITE_SPACE.test(raw[rawFrom] ?? '')) rawFrom += 1;
    let rawTo: number;
    if (predicateAt !== null) {
      rawTo = normalised.rawStart(predicateAt + 1);
      if (rawTo > rawFrom && WHITE_SPACE.test(raw[rawTo - 1] ?? '')) rawTo -= 1;
    } else {
      rawTo = end < text.length ? normalised.rawStart(end) : raw.length;
    }
    if (rawTo <= rawFrom) continue;
    values.push({ start, end, text: raw.slice(rawFrom, rawTo) });
    unquoted.push({ start, end });
    taken = end;
  }
  if (unquoted.length > 0) values.sort((a, b) => a.start - b.start);
  return { masked: masked(quotesMasked, unquoted), values, introducers };
}

// ---------------------------------------------------------------------------------------
// Nouns.

const TOKEN = /[\p{L}\p{N}]+(?:'\p{L}+)?/gu;

function tokensOf(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let found = TOKEN.exec(text); found; found = TOKEN.exec(text)) {
    tokens.push({ word: found[0], start: found.index, end: found.index + found[0].length });
  }
  return tokens;
}

/** Two tokens with exactly one space between them belong to one phrase. */
function adjacent(text: string, left: Span, right: Span): boolean {
  return right.start === left.end + 1 && text[left.end] === ' ';
}

function phrasesStartingWith(word: string): readonly Phrase[] {
  return PHRASES_BY_FIRST_WORD.get(word) ?? (word.endsWith("'s") ? (PHRASES_BY_FIRST_WORD.get(word.slice(0, -2)) ?? []) : []);
}

interface PhraseHit extends Span {
  phrase: Phrase;
  firstToken: number;
}

/** The lexicon's phrases in a stretch of tokens, the longest at each position. */
function phraseHits(text: string, tokens: readonly Token[], from: number, to: number): PhraseHit[] {
  const hits: PhraseHit[] = [];
  let index = 0;
  while (index < tokens.length && tokens[index]!.start < from) index += 1;
  while (index < tokens.length && tokens[index]!.end <= to) {
    const hit = phraseAt(text, tokens, index, to);
    if (hit && (!hit.phrase.weak || weakNounStandsAlone(text, tokens, index, from, hits))) {
      hits.push(hit);
      index += hit.phrase.words.length;
    } else {
      index += 1;
    }
  }
  return hits;
}

function phraseAt(text: string, tokens: readonly Token[], index: number, to: number): PhraseHit | null {
  const first = tokens[index]!;
  for (const phrase of phrasesStartingWith(first.word)) {
    let matches = true;
    for (let k = 1; k < phrase.words.length && matches; k += 1) {
      const token = tokens[index + k];
      matches = token !== undefined && token.end <= to && token.word === phrase.words[k] && adjacent(text, tokens[index + k - 1]!, token);
    }
    if (matches) return { phrase, start: first.start, end: tokens[index + phrase.words.length - 1]!.end, firstToken: index };
  }
  return null;
}

/** A weak noun ("title", "site") counts only after punctuation, a grammar word, or another noun of the lexicon. */
function weakNounStandsAlone(text: string, tokens: readonly Token[], index: number, from: number, hits: readonly PhraseHit[]): boolean {
  const previous = tokens[index - 1];
  if (previous === undefined || previous.start < from || !adjacent(text, previous, tokens[index]!)) return true;
  if (WEAK_NOUN_MAY_FOLLOW.has(previous.word)) return true;
  const last = hits[hits.length - 1];
  return last !== undefined && last.end === previous.end;
}

/** Nouns standing together, each run read as one phrase whose kind its parts decide. */
function nounPhrasesOf(text: string, tokens: readonly Token[], from: number, to: number, introducers: readonly Span[] = []): NounPhrase[] {
  const hits = phraseHits(text, tokens, from, to);
  const phrases: NounPhrase[] = [];
  let run: PhraseHit[] = [];
  const flush = () => {
    if (run.length > 0) phrases.push(nounPhraseOf(text, tokens, run, introducers));
    run = [];
  };
  for (const hit of hits) {
    const last = run[run.length - 1];
    if (last && !adjacent(text, last, hit)) flush();
    run.push(hit);
  }
  flush();
  return phrases;
}

function nounPhraseOf(text: string, tokens: readonly Token[], run: readonly PhraseHit[], introducers: readonly Span[]): NounPhrase {
  const first = run[0]!;
  const start = first.start;
  const end = run[run.length - 1]!.end;
  const attribute = run.find((hit) => hit.phrase.kind === 'attribute');
  const formField = run.some((hit) => hit.phrase.kind === 'form-field');
  let kind: SubjectKind = 'owner';
  if (run.some((hit) => hit.phrase.kind === 'other')) kind = 'other';
  else if (attribute) kind = 'attribute';
  else if (formField) kind = 'form-field';
  const before = tokens[first.firstToken - 1];
  return {
    start,
    end,
    kind,
    field: kind === 'attribute' ? (attribute?.phrase.field ?? null) : null,
    required: run.some((hit) => hit.phrase.required === true),
    namesFormField: formField,
    attributeStart: attribute?.start ?? start,
    afterPreposition: before !== undefined && adjacent(text, before, first) && PREPOSITIONS.has(before.word),
    inIntroducer: introducers.some((span) => span.start <= start && end <= span.end),
  };
}

// ---------------------------------------------------------------------------------------
// Steps 3 and 4: clauses, predicates, subjects.

type PredicateKind = 'not-exist' | 'archived' | 'in-use' | 'missing' | 'invalid';

const PREDICATES: ReadonlyArray<readonly [PredicateKind, RegExp]> = [
  ['not-exist', NOT_EXIST],
  ['archived', ARCHIVED],
  ['in-use', IN_USE],
  ['missing', MISSING],
  ['invalid', INVALID],
];

/** The predicates of a clause, strongest first, each where it first occurs. */
function predicatesIn(clause: string): Array<{ kind: PredicateKind; at: number }> {
  const negationFirst = NEGATION_FIRST.test(clause);
  const found: Array<{ kind: PredicateKind; at: number }> = [];
  for (const [kind, pattern] of PREDICATES) {
    if (negationFirst && kind === 'not-exist' && NEGATION_FIRST_NOT_EXIST.test(clause)) found.push({ kind, at: 0 });
    else if (negationFirst && kind === 'missing' && NEGATION_FIRST_MISSING.test(clause)) found.push({ kind, at: 0 });
    else {
      const match = pattern.exec(clause);
      if (match) found.push({ kind, at: match.index });
    }
  }
  return found;
}

function splitAt(masked: string, span: Span, separator: RegExp): Span[] {
  const spans: Span[] = [];
  let start = span.start;
  separator.lastIndex = span.start;
  for (let found = separator.exec(masked); found && found.index < span.end; found = separator.exec(masked)) {
    spans.push({ start, end: found.index });
    start = found.index + 1;
  }
  spans.push({ start, end: span.end });
  return spans.map(trimmed(masked)).filter((part) => part.end > part.start);
}

function trimmed(masked: string): (span: Span) => Span {
  return (span) => {
    let { start, end } = span;
    while (start < end && masked[start] === ' ') start += 1;
    while (end > start && masked[end - 1] === ' ') end -= 1;
    return { start, end };
  };
}

interface Subject {
  kind: SubjectKind;
  field: RecordField | null;
  required: boolean;
  namesFormField: boolean;
  phrase: NounPhrase | null;
}

/** What a clause's predicate at `at` speaks of (see the header). */
function headPhrase(phrases: readonly NounPhrase[], at: number): NounPhrase | null {
  const before = phrases.filter((phrase) => phrase.end <= at);
  if (before.length > 0) {
    const named = before.filter((phrase) => phrase.kind !== 'owner');
    if (named.length === 0) return before[0]!;
    return named.find((phrase) => !phrase.afterPreposition) ?? named[named.length - 1]!;
  }
  const after = phrases.filter((phrase) => phrase.end > at);
  return after.find((phrase) => phrase.kind !== 'owner') ?? after[0] ?? null;
}

function isCatalogAttribute(field: RecordField | null): field is CatalogAttribute {
  return field !== null && field in CATALOG_LIST_OF;
}

class ClauseReader {
  private readonly phrases: NounPhrase[];
  private readonly allPhrases: NounPhrase[];

  constructor(
    private readonly reading: Reading,
    private readonly clause: Span,
    /** The clause this one is a part of (itself when it is a whole clause). */
    private readonly whole: Span,
    private readonly givenField: RecordField | null,
  ) {
    this.allPhrases = reading.nounPhrases.filter((phrase) => phrase.start >= clause.start && phrase.end <= clause.end);
    this.phrases = this.allPhrases.filter((phrase) => !phrase.inIntroducer);
  }

  read(): EngineFinding | null {
    const text = this.reading.masked.slice(this.clause.start, this.clause.end);
    for (const { kind, at } of predicatesIn(text)) {
      const subject = this.subjectAt(this.clause.start + at);
      const finding = this.findingFor(kind, subject);
      if (finding) return finding;
    }
    return null;
  }

  private subjectAt(at: number): Subject {
    const phrase = headPhrase(this.phrases, at);
    if (this.givenField !== null) return { kind: 'attribute', field: this.givenField, required: phrase?.required ?? false, namesFormField: false, phrase };
    if (!phrase) return { kind: 'other', field: null, required: false, namesFormField: false, phrase: null };
    return { kind: phrase.kind, field: phrase.field, required: phrase.required, namesFormField: phrase.namesFormField, phrase };
  }

  private findingFor(kind: PredicateKind, subject: Subject): EngineFinding | null {
    switch (kind) {
      case 'not-exist':
        return this.notExist(subject);
      case 'archived':
        return this.archived(subject);
      case 'in-use':
        return this.inUse(subject);
      case 'missing':
        return this.missing(subject);
      case 'invalid':
        return this.invalid(subject);
    }
  }

  private notExist(subject: Subject): EngineFinding | null {
    if (subject.required) {
      const field = this.fieldOf(subject);
      return field ? { code: 'missing_required_field', field, value: null } : null;
    }
    if (subject.kind === 'attribute' && isCatalogAttribute(subject.field)) return this.mismatch(subject.field, subject);
    return null;
  }

  /**
   * An archived form field; or, when the text archives a value of an attribute ("Job title
   * 'Sommelier' is archived"), a value the target no longer offers: a mismatch.
   */
  private archived(subject: Subject): EngineFinding | null {
    const value = this.valueOf(subject.phrase);
    if (subject.kind === 'attribute' && !subject.namesFormField && value !== null && this.givenField === null) {
      return isCatalogAttribute(subject.field) ? this.mismatch(subject.field, subject) : null;
    }
    if (subject.kind === 'attribute') return { code: 'archived_mandatory_field', field: subject.field, value: value ?? this.archivedName(subject.phrase) };
    if (subject.kind === 'form-field') {
      const field = this.fieldOf(subject);
      return field !== null || value !== null ? { code: 'archived_mandatory_field', field, value } : null;
    }
    if (subject.phrase === null) {
      // "'Job title (Flow)' is archived": the quoted name says which field.
      const quoted = this.valuesIn(this.clause)[0]?.text ?? null;
      const field = quoted === null ? null : fieldNamed(quoted);
      return field ? { code: 'archived_mandatory_field', field, value: quoted } : null;
    }
    return null;
  }

  /** In use is about the email or the external id the clause mentions anywhere ("A user with this email already exists"). */
  private inUse(subject: Subject): EngineFinding | null {
    if (subject.kind === 'other' && subject.phrase !== null) return null;
    const mentions = (field: RecordField) => subject.field === field || this.allPhrases.some((phrase) => phrase.field === field);
    const raw = this.reading.normalised.raw.slice(this.reading.normalised.rawStart(this.clause.start), this.reading.normalised.rawEnd(this.clause.end - 1));
    if (mentions('email') || EMAIL_ADDRESS.test(raw)) return { code: 'email_in_use', field: 'email', value: null };
    if (mentions('external_id')) return { code: 'duplicate_external_id', field: 'external_id', value: null };
    return null;
  }

  private missing(subject: Subject): EngineFinding | null {
    if (subject.kind !== 'attribute' && subject.kind !== 'form-field') return null;
    const field = this.fieldOf(subject);
    return field ? { code: 'missing_required_field', field, value: null } : null;
  }

  private invalid(subject: Subject): EngineFinding | null {
    if (subject.kind !== 'attribute' && subject.kind !== 'form-field') return null;
    const field = this.fieldOf(subject);
    if (isCatalogAttribute(field)) return this.mismatch(field, subject);
    return field ? { code: 'invalid_value', field, value: null } : null;
  }

  private mismatch(field: CatalogAttribute, subject: Subject): EngineFinding {
    return { code: MISMATCH_CODE_OF[field], field, value: this.valueOf(subject.phrase) };
  }

  /** The field a subject names: its own, or for a bare "field", the field its name or the next noun names. */
  private fieldOf(subject: Subject): RecordField | null {
    if (subject.field !== null) return subject.field;
    if (subject.kind !== 'form-field' || subject.phrase === null) return null;
    const name = this.valueOf(subject.phrase);
    const named = name === null ? null : fieldNamed(name);
    if (named) return named;
    const phrase = subject.phrase;
    const next = this.reading.nounPhrases.find((other) => other.start >= phrase.end && other.end <= this.whole.end && other.kind === 'attribute');
    return next?.field ?? null;
  }

  private valuesIn(span: Span): Value[] {
    return this.reading.values.filter((value) => value.start >= span.start && value.end <= span.end);
  }

  /**
   * The value a noun phrase names: the first value after it, before any other noun
   * phrase; else the last one before it, after any other. Searched in the clause, then
   * in the whole clause when this is a part of one.
   */
  private valueOf(phrase: NounPhrase | null): string | null {
    if (phrase === null) {
      const only = this.valuesIn(this.clause);
      return only.length === 1 ? only[0]!.text : null;
    }
    for (const span of this.clause === this.whole ? [this.clause] : [this.clause, this.whole]) {
      const values = this.valuesIn(span);
      const others = this.phrases.concat(span === this.whole ? this.reading.nounPhrases : []).filter((other) => other !== phrase && !other.inIntroducer);
      const after = values.find((value) => value.start >= phrase.end);
      if (after && !others.some((other) => other.start >= phrase.end && other.end <= after.start)) return after.text;
      const before = values.filter((value) => value.end <= phrase.start).pop();
      if (before && !others.some((other) => other.start >= before.end && other.end <= phrase.start)) return before.text;
    }
    return null;
  }

  /** "Job title (Flow) is archived": the words from the attribute up to the predicate, as written. */
  private archivedName(phrase: NounPhrase | null): string | null {
    if (phrase === null) return null;
    const { normalised, masked } = this.reading;
    const archivedAt = masked.indexOf('archived', phrase.end);
    if (archivedAt < 0) return null;
    const words = masked
      .slice(phrase.attributeStart, archivedAt)
      .replace(/\s*\b(?:(?:is|was|were|are|has been|have been|had been|been|has|have)\s*)?$/u, '')
      .replace(/\s+(?:form )?field$/u, '');
    if (words.length === 0) return null;
    const name = normalised.raw.slice(normalised.rawStart(phrase.attributeStart), normalised.rawEnd(phrase.attributeStart + words.length - 1));
    return name.trim() || null;
  }
}

// ---------------------------------------------------------------------------------------
// Entry points.

function readingOf(raw: string): Reading {
  const normalised = NormalisedText.of(raw);
  const { masked, values, introducers } = findValues(normalised);
  const tokens = tokensOf(masked);
  return { normalised, masked, values, introducers, tokens, nounPhrases: nounPhrasesOf(masked, tokens, 0, masked.length, introducers) };
}

/** What an engine's text says (null when nothing we classify); `givenField` is the field the message names, if any. */
export function readEngineText(raw: string, givenField: RecordField | null): EngineFinding | null {
  const reading = readingOf(raw);
  const { masked } = reading;
  for (const clause of splitAt(masked, { start: 0, end: masked.length }, CLAUSE_END)) {
    const parts = splitAt(masked, clause, PART_END);
    for (const part of parts) {
      const finding = new ClauseReader(reading, part, parts.length > 1 ? clause : part, givenField).read();
      if (finding) return finding;
    }
    if (parts.length > 1) {
      const finding = new ClauseReader(reading, clause, clause, givenField).read();
      if (finding) return finding;
    }
  }
  return null;
}

/** The first employee attribute a text names outside its values, if any. */
export function firstFieldIn(raw: string): RecordField | null {
  const reading = readingOf(raw);
  return reading.nounPhrases.find((phrase) => phrase.kind === 'attribute' && !phrase.inIntroducer)?.field ?? null;
}

/** A field's name as an engine writes it ("job_title", "Job title (Flow)", "Business Unit", "DOB") as ours. */
export function fieldNamed(name: string): RecordField | null {
  const snake = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/gu, '_');
  if (snake === 'external_id' || (EMPLOYEE_ATTRIBUTES as readonly string[]).includes(snake)) return snake as RecordField;
  const normalised = NormalisedText.of(name).text;
  const tokens = tokensOf(normalised);
  return nounPhrasesOf(normalised, tokens, 0, normalised.length).find((phrase) => phrase.kind === 'attribute')?.field ?? null;
}

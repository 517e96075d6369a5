/** Word-level differences between two texts, given up on rather than hold the page up when too large. */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { diffWords } from 'diff';
import { LRUCache } from 'lru-cache';

/**
 * Beyond these, a word-level comparison says it is too large to compare rather than hold up the
 * page: texts longer than `maxChars` are not compared at all, and jsdiff gives up past
 * `maxEditLength` changed words or `timeout` milliseconds (each pair at most once: see WordDiffs).
 */
export const DIFF_LIMITS = { maxChars: 20_000, maxEditLength: 1000, timeout: 50 };

export interface DiffPart {
  text: string;
  kind: 'added' | 'removed' | 'same';
}

/** The word differences from one text to another, or `null` when they are too large to compare word by word. */
export type WordDiff = DiffPart[] | null;

/** What the cache holds at most, counted in characters of the parts kept. */
const KEPT_CHARS = 16 * 1024 * 1024;

/**
 * Word differences between two texts, each pair compared once and kept (by the two texts, which a
 * revision or an agreed version never changes), its answer "too large" included: a page viewed
 * again costs a hash, not the comparison's CPU.
 */
@Injectable()
export class WordDiffs {
  private readonly kept = new LRUCache<string, { diff: WordDiff }>({
    max: 5000,
    maxSize: KEPT_CHARS,
    sizeCalculation: ({ diff }) => 64 + (diff ?? []).reduce((sum, part) => sum + part.text.length + 16, 0),
  });

  of(before: string, after: string): WordDiff {
    if (before.length > DIFF_LIMITS.maxChars || after.length > DIFF_LIMITS.maxChars) return null;
    const key = createHash('sha256').update(`${before.length}:`).update(before).update(after).digest('base64');
    let kept = this.kept.get(key);
    if (!kept) {
      kept = { diff: this.compare(before, after) };
      this.kept.set(key, kept);
    }
    return kept.diff;
  }

  /** The comparison itself, within the limits (the costly part, made once per pair). */
  compare(before: string, after: string): WordDiff {
    const parts = diffWords(before, after, { maxEditLength: DIFF_LIMITS.maxEditLength, timeout: DIFF_LIMITS.timeout });
    if (!parts) return null;
    return parts.map((part) => ({ text: part.value, kind: part.added ? 'added' : part.removed ? 'removed' : 'same' }));
  }
}

/**
 * Collects text into segments keyed by location, so each part of a document (body, header, tracked deletions…) is
 * scanned with its own position, and a finding says exactly where it was.
 */
import type { SegmentPosition, TextSegment, Unscannable } from '../core';

/** A sensitivity label found in a file's properties. */
export interface FoundLabel {
  readonly id: string;
  readonly location: string;
}

/** What extraction produced for one file. */
export interface Extracted {
  readonly segments: TextSegment[];
  readonly unscannable: Unscannable[];
  readonly labels: FoundLabel[];
}

export function emptyExtracted(): Extracted {
  return { segments: [], unscannable: [], labels: [] };
}

export function mergeInto(target: Extracted, source: Extracted): void {
  target.segments.push(...source.segments);
  target.unscannable.push(...source.unscannable);
  target.labels.push(...source.labels);
}

export class SegmentCollector {
  private readonly parts = new Map<string, { position: SegmentPosition; chunks: string[] }>();

  constructor(private readonly base: string) {}

  /** The location of a part: `attachment:報告.odt/styles.xml`. */
  location(part: string): string {
    return `${this.base}/${part}`;
  }

  /** Appends text to the segment `base/<part>#<kind>`. */
  add(part: string, kind: string, position: SegmentPosition, text: string): void {
    if (text.length === 0) {
      return;
    }
    const location = `${this.base}/${part}#${kind}`;
    let entry = this.parts.get(location);
    if (!entry) {
      entry = { position, chunks: [] };
      this.parts.set(location, entry);
    }
    entry.chunks.push(text);
  }

  /** Ends a paragraph in the given segment, so line-based marks (a standalone 機密) are seen as lines. */
  newline(part: string, kind: string, position: SegmentPosition): void {
    const entry = this.parts.get(`${this.base}/${part}#${kind}`);
    if (entry && entry.chunks.length > 0 && entry.chunks[entry.chunks.length - 1] !== '\n') {
      entry.chunks.push('\n');
    } else if (!entry) {
      this.add(part, kind, position, '\n');
    }
  }

  segments(): TextSegment[] {
    const out: TextSegment[] = [];
    this.parts.forEach((entry, location) => {
      const text = entry.chunks.join('');
      if (text.trim().length > 0) {
        out.push({ location, text, position: entry.position });
      }
    });
    return out;
  }
}

/** Human-readable output of the `scan` command: zh-TW first, English second. */
import { LEVEL_ENGLISH, type VerdictKind } from '../core';
import type { ScanError, ScanResult } from './scan-files';

const VERDICT_WORDS: Readonly<Record<VerdictKind, string>> = {
  allow: '放行 allow',
  warn: '警告 warn',
  strip: '移除機敏內容後寄送 strip',
  block: '阻擋 block',
};

const REASON_WORDS: Readonly<Record<string, string>> = {
  'unknown-type': '無法辨識的檔案類型 unknown type',
  'unsupported-format': '尚不支援的格式 unsupported format',
  encrypted: '已加密 encrypted',
  'image-only': '僅有影像 image only',
  'legacy-format': '舊版格式 legacy format',
  'too-large': '檔案過大 too large',
  timeout: '逾時 timeout',
  unreadable: '無法讀取內容 unreadable',
  malformed: '格式損毀 malformed',
  'cloud-attachment': '雲端附件 cloud attachment',
  error: '錯誤 error',
  'unreadable-charset': '無法辨識的文字編碼 unreadable charset',
};

export function formatTable(results: readonly ScanResult[], errors: readonly ScanError[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const level = r.level ? `${r.level} (${LEVEL_ENGLISH[r.level]})` : '—';
    lines.push(`${r.path}`);
    lines.push(`  判定 Verdict: ${VERDICT_WORDS[r.verdict]}    最高密等 Level: ${level}`);
    for (const f of r.findings) {
      lines.push(
        `  • ${f.location}  [${f.level}]  ${f.rule}${f.strippable ? '  (可移除 strippable)' : ''}  「${f.excerpt}」`,
      );
    }
    for (const u of r.unscannable) {
      lines.push(
        `  • 無法檢查 unscannable: ${u.location} — ${REASON_WORDS[u.reason] ?? u.reason}${u.detail ? ` (${u.detail})` : ''}`,
      );
    }
  }
  for (const e of errors) {
    lines.push(`錯誤 Error: ${e.path}: ${e.message}`);
  }
  const counts = (v: VerdictKind): number => results.filter((r) => r.verdict === v).length;
  lines.push('');
  lines.push(
    `共 ${results.length} 個檔案 files: 放行 allow ${counts('allow')}, 警告 warn ${counts('warn')}, ` +
      `移除 strip ${counts('strip')}, 阻擋 block ${counts('block')}${errors.length ? `, 錯誤 errors ${errors.length}` : ''}`,
  );
  return lines.join('\n') + '\n';
}

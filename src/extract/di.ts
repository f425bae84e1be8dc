/**
 * 公文 exchange files: DI (文書本文檔) and SW (交換表單). Their 密等 is an attribute, `<密等 代碼="密"/>`, with the
 * condition in `<解密條件或保密期限>`; it is rewritten as the printed field 「密等及解密條件或保密期限：密（…）」 so
 * the core's one grammar decides it, blank and 普通 included. Older versions are Big5 and use 91-style names.
 */
import { SegmentCollector } from './segments';
import { walkXml } from './xml';

/** Root elements and DTDs that identify 公文 exchange XML. */
export function looksLikeDi(xml: string): boolean {
  const head = xml.slice(0, 4096);
  return (
    /<!DOCTYPE\s+(函|書函|簽|稿|令|公告|開會通知單|交換表單|移文單|呈|咨|便箋|簽稿會核單)\b/.test(head) ||
    /\d+_(\d+|roster|sign|basic|exchange)_(utf8|big5)\.(dtd|ent)/.test(head) ||
    /<密等[\s/>]/.test(head)
  );
}

/** The encoding an XML declaration names, if any (Big5 for 99-version DI). */
export function xmlDeclaredEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const m = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)["']/.exec(head);
  return m ? (m[1] as string).toLowerCase() : null;
}

export function readDi(
  xml: string,
  location: string,
): { segments: ReturnType<SegmentCollector['segments']>; wellFormed: boolean } {
  const out = new SegmentCollector(location);
  let level: string | null = null;
  let condition = '';
  let inCondition = false;
  let inLevelText = false;
  const result = walkXml(xml, {
    open(el) {
      if (el.name === '密等') {
        level = el.attributes['代碼'] ?? '';
        inLevelText = true;
      } else if (el.name === '解密條件或保密期限' || el.name === '解密條件') {
        inCondition = true;
      }
    },
    close(name) {
      if (name === '密等') {
        inLevelText = false;
      } else if (name === '解密條件或保密期限' || name === '解密條件') {
        inCondition = false;
      } else {
        out.newline('xml', 'body', 'body');
      }
    },
    text(text) {
      if (inCondition) {
        condition += text.trim();
      } else if (inLevelText) {
        // Archive metadata writes the level as element text: <密等>機密</密等>.
        level = (level ?? '') + text.trim();
      } else {
        out.add('xml', 'body', 'body', text);
      }
    },
  });
  if (level !== null) {
    const value = (level as string).trim();
    out.add(
      'xml',
      'classification',
      'body',
      `密等及解密條件或保密期限：${value}${value && condition ? `（${condition}）` : ''}\n`,
    );
  }
  return { segments: out.segments(), wellFormed: result.wellFormed };
}

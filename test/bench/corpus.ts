/**
 * Realistic mixed zh-TW/English mail text for benchmarks: 公文 phrases, meeting logistics, IT notices full of 密碼 and
 * 保密, English paragraphs and disclaimers, with about 1% of lines carrying a real mark. Deterministic (seeded).
 */
const PROSE = [
  '各位同仁好，本週例行業務會議訂於星期三上午九時三十分於本部第二會議室召開，請準時出席。',
  '依據本部113年度施政計畫，請各單位於11月30日前提報執行進度，並副知研考科。',
  '資訊室提醒：請定期更換系統密碼，密碼長度至少十二碼，並勿將密碼告知他人。',
  '為落實公務機密維護，政風室將於下週辦理保密宣導講習，請同仁踴躍參加。',
  '本案與相關機關密切協調，各單位應緊密合作，如有疑義請洽承辦人。',
  '檢送會議紀錄乙份，請查照。說明：一、依本部115年11月10日會議決議辦理。',
  "Please find attached the agenda for next week's coordination meeting with the ministry.",
  'The procurement committee will review the bids on Friday; please confirm your attendance by Thursday noon.',
  'CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended solely for the addressee and may contain privileged information.',
  '本郵件可能含有機密資訊，如非指定收件者，請立即刪除並通知寄件者，謝謝。',
  '附件檔案已加密，解密密碼將另以簡訊通知，請妥善保管。',
  '機關地址：臺北市中正區重慶南路一段122號　聯絡電話：(02)2311-3731　傳真：(02)2311-1234',
  '速別：普通件　密等及解密條件或保密期限：　附件：如文',
  'Thanks for your help with the migration last week — the new VPN profile works well.',
  '請各單位於期限內完成個人資料保護自評表，並送人事室彙辦。',
];
const MARKS = [
  '密等及解密條件或保密期限：機密（本件於公布時解密）',
  '二、○○地區劃分草案（尚未定案）：A區併入B區。【密】',
  '機敏資料',
  '本會議因具機敏性質，與會人員應行保密。',
  '〔極機密〕部署調整方案詳如附表〔/極機密〕',
  'CONFIDENTIAL',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** About `bytes` bytes of mail text in UTF-8; `markRate` of the lines carry a mark. */
export function mailText(bytes: number, markRate = 0.01, seed = 42): string {
  const random = rng(seed);
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const pool = random() < markRate ? MARKS : PROSE;
    const line = pool[Math.floor(random() * pool.length)] as string;
    lines.push(line);
    size += Buffer.byteLength(line, 'utf8') + 1;
    if (random() < 0.15) {
      lines.push('');
      size++;
    }
  }
  return lines.join('\n');
}

/** A typical ~20 KB HTML mail body as Outlook writes it: MSO styles, paragraphs, a table and a signature. */
export function mailHtml(bytes = 20 * 1024, seed = 7): string {
  const random = rng(seed);
  const head =
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8"><style><!-- p.MsoNormal{margin:0cm;font-size:12.0pt;font-family:"新細明體",serif;} --></style></head><body lang="ZH-TW"><div class="WordSection1">';
  let body = '';
  while (Buffer.byteLength(head + body) < bytes - 400) {
    const line = PROSE[Math.floor(random() * PROSE.length)] as string;
    body += `<p class="MsoNormal"><span style="font-family:&quot;微軟正黑體&quot;">${line.replace(/&/g, '&amp;')}</span><o:p></o:p></p>\n`;
    if (random() < 0.05) {
      body += '<table><tr><td>項目</td><td>說明</td></tr><tr><td>一</td><td>會議時間</td></tr></table>\n';
    }
  }
  body += '<p class="MsoNormal">二、地區劃分草案：A區併入B區。【密】</p>';
  return `${head}${body}<p>秘書室 敬上</p></div></body></html>`;
}

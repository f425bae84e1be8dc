/**
 * The page both manifests name as the developer's website, privacy statement and terms of use (store listings and the
 * admin center show these links). Static HTML, zh-TW first, no scripts.
 */
import { STRINGS } from './app';

const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function supportPage(): string {
  const zh = STRINGS('zh-TW');
  const en = STRINGS('en');
  return `<!doctype html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(zh.nameShort)} ${html(en.nameShort)}</title>
<style>
  body { font-family: "Microsoft JhengHei", "PingFang TC", "Noto Sans TC", sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
  [lang="en"] { color: #444; }
</style>
</head>
<body>
<h1>${html(zh.nameFull)}<br><span lang="en">${html(en.nameFull)}</span></h1>
<p>${html(zh.descriptionFull)}</p>
<p lang="en">${html(en.descriptionFull)}</p>

<h2 id="privacy">隱私權聲明 <span lang="en">Privacy</span></h2>
<p>郵件與會議邀請的內容（主旨、本文、附件）只在您的電腦上檢查，不會傳送到伺服器。伺服器只記錄檢查結果：規則代號、密等、數量、大小與雜湊值；以及會議的保密提醒、與會人員確認的身分與時間，全部寫入不可竄改的稽核紀錄。</p>
<p lang="en">The content of messages and invites (subject, body, attachments) is checked on your computer only and is never sent to the server. The server records only the outcome of a check (rule ids, classification levels, counts, sizes and hashes), and for meetings the secrecy reminder and who acknowledged it when, all in a tamper-evident audit log.</p>

<h2 id="terms">使用條款 <span lang="en">Terms of use</span></h2>
<p>本軟體供機關內部公務使用，由機關資訊單位部署與管理。檢查結果協助您避免以電子郵件傳送機敏資訊，但不取代承辦人依規定核定密等及採取保密措施的責任。</p>
<p lang="en">This software is for an agency's internal official use, deployed and managed by its IT unit. Its checks help you keep sensitive information out of e-mail; they do not replace your duty to classify information and protect it as the regulations require.</p>

<h2 id="support">支援 <span lang="en">Support</span></h2>
<p>請洽貴機關資訊單位或政風單位。</p>
<p lang="en">Please contact your agency's IT or ethics (政風) unit.</p>
</body>
</html>
`;
}

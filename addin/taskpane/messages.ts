/**
 * The task pane's words, zh-TW first and English second. The zh-TW entries define the keys and their parameters;
 * the English ones must match them, so a missing translation does not compile.
 */
import { type Level, LEVEL_ENGLISH, type UnscannableReason, type VerdictKind } from '../../src/core';
import type { ReceiptStatus } from '../../src/shared/api';
import { defineMessages, type Locale, nameIn } from '../../src/shared/i18n';

/** A level for English readers: the mark as it appears in the mail, and its English name (as the level badge shows it). */
const englishLevel = (level: Level): string => `${level} · ${LEVEL_ENGLISH[level]}`;

const RULES_ZH: Record<string, string> = {
  'field.classification': '密等欄位',
  'level.declassification': '密等與解密條件',
  declassification: '解密條件',
  'meeting.secrecy-notice': '會議保密宣示',
  portion: '段落標示',
  declaration: '密件聲明',
  'level.inline': '密等標示',
  'level.bracketed': '括號中的密等標示',
  'label.bracketed': '括號中的機敏標示',
  'level.standalone': '獨立一行的密等標示',
  'label.standalone': '獨立一行的機敏標示',
  'prc.level': '大陸密級標示',
  'position.marking': '頁首、頁尾或浮水印標示',
  'english.banner': '英文密等標示',
  'english.classification-field': '英文 Classification 欄位',
  'english.header': '英文頁首標示',
  'english.subject-tag': '主旨英文標籤',
  'name.marking': '名稱中的標示（檔名、工作表、投影片或物件名稱）',
  'english.name': '名稱中的英文標示',
  'region.delimited': '標示區段',
  'region.marked': '標示區段',
  'evasion.bidi-override': '以文字方向控制字元改變顯示順序（可能藏有密等標示）',
  'label.sensitivity': '敏感度標籤',
  'pii.national-id': '身分證統一編號',
  'pii.resident-certificate': '居留證號',
  'pii.ubn': '統一編號',
};
const RULES_EN: Record<string, string> = {
  'field.classification': 'Classification field (密等)',
  'level.declassification': 'Level with declassification condition',
  declassification: 'Declassification condition',
  'meeting.secrecy-notice': 'Meeting secrecy notice',
  portion: 'Portion mark',
  declaration: 'Classified declaration',
  'level.inline': 'Classification mark',
  'level.bracketed': 'Bracketed classification mark',
  'label.bracketed': 'Bracketed sensitivity mark',
  'level.standalone': 'Classification on a line of its own',
  'label.standalone': 'Sensitivity mark on a line of its own',
  'prc.level': 'PRC classification mark',
  'position.marking': 'Header, footer or watermark mark',
  'english.banner': 'English classification banner',
  'english.classification-field': 'English Classification field',
  'english.header': 'English header mark',
  'english.subject-tag': 'English subject tag',
  'name.marking': 'Mark in a name (file, sheet, slide or object)',
  'english.name': 'English mark in a name',
  'region.delimited': 'Marked region',
  'region.marked': 'Marked region',
  'evasion.bidi-override': 'Text direction override that reorders what is shown (may hide a classification mark)',
  'label.sensitivity': 'Sensitivity label',
  'pii.national-id': 'National ID number',
  'pii.resident-certificate': 'Resident certificate number',
  'pii.ubn': 'Business ID number (統一編號)',
};

const UNSCANNABLE_ZH: Record<UnscannableReason, string> = {
  'unknown-type': '無法辨識的檔案類型',
  'unsupported-format': '不支援的格式',
  encrypted: '已加密或需要密碼',
  'image-only': '僅有影像，無法讀取文字',
  'legacy-format': '舊版格式，只能部分讀取',
  'too-large': '超過大小上限',
  timeout: '檢查逾時',
  unreadable: '無法解讀的文字',
  malformed: '檔案損毀',
  'cloud-attachment': '雲端附件（連結）無法檢查',
  error: '檢查時發生錯誤',
  'unreadable-charset': '無法確定文字編碼，無法判讀內容',
};
const UNSCANNABLE_EN: Record<UnscannableReason, string> = {
  'unknown-type': 'Unknown file type',
  'unsupported-format': 'Unsupported format',
  encrypted: 'Encrypted or password-protected',
  'image-only': 'Image only; no text to read',
  'legacy-format': 'Legacy format, read only in part',
  'too-large': 'Over the size limit',
  timeout: 'Scan timed out',
  unreadable: 'Text could not be decoded',
  malformed: 'Damaged file',
  'cloud-attachment': 'Cloud attachment (a link) cannot be scanned',
  error: 'The scan failed',
  'unreadable-charset': 'Text in an encoding that could not be determined',
};

const bytes = (n: number): string =>
  n < 0
    ? '?'
    : n >= 1024 * 1024
      ? `${(n / 1024 / 1024).toFixed(1)} MB`
      : n >= 1024
        ? `${(n / 1024).toFixed(0)} KB`
        : `${n} B`;

/** A time of day in Taiwan, as the catalog's language writes it. */
export const timeText = (at: Date, locale: Locale): string =>
  at.toLocaleTimeString(locale === 'en' ? 'en-GB' : 'zh-TW', { timeZone: 'Asia/Taipei' });

export const messages = defineMessages({
  'zh-TW': {
    appTitle: '機敏守門員',
    appSubtitle: '郵件機敏內容檢查',
    loading: '正在載入…',
    tabsLabel: '功能',
    tabCheck: '檢查',
    tabStrip: '移除機敏內容',
    tabReceipts: '簽收單',
    // Scan
    scanning: '正在檢查郵件…',
    scanningAttachment: (name: string, done: number, total: number) => `正在檢查附件「${name}」（${done}/${total}）`,
    scanDone: (verdict: string, count: number) => `檢查完成：${verdict}，${count} 處標示。`,
    scanFailed: (detail: string) => `無法完成檢查：${detail}。傳送時將依政策阻擋或警告，不會直接放行。`,
    rescan: '重新檢查',
    lastScanned: (time: string) => `最後檢查：${time}`,
    verdictHeading: '傳送時的結果',
    verdict: (v: VerdictKind) => ({ allow: '放行', warn: '警告', strip: '須移除機敏內容後寄送', block: '阻擋' })[v],
    verdictExplain: (v: VerdictKind) =>
      ({
        allow: '未發現機敏標示，可以傳送。',
        warn: '發現須注意的內容。您可以修改郵件，或填寫理由後仍然傳送。',
        strip: '依規定，機敏會議資訊不得以電子郵件傳送；請移除標示的內容，改以書面發送並經簽收。',
        block: '這封郵件不能以電子郵件傳送。請移除整份機敏文件或改以書面方式處理。',
      })[v],
    blockRemovable:
      '這封郵件目前不能以電子郵件傳送。按「移除機敏內容」可將標示的附件與段落自郵件移除並建立簽收單，改以書面發送；移除後會再檢查一次。',
    scope: (s: 'internal' | 'external', recipientCount: number): string =>
      recipientCount === 0
        ? '尚無收件人：暫依外部收件人判斷'
        : s === 'internal'
          ? '收件人皆為機關內部'
          : '有外部收件人',
    policyFallback: '無法取得機關政策，暫以最嚴格的預設政策判斷。',
    policyName: (name: string, version: number) => `政策：${nameIn(name, 'zh-TW')}（第 ${version} 版）`,
    policyCached: (name: string, version: number) =>
      `無法取得伺服器上的政策，沿用先前取得的政策：${nameIn(name, 'zh-TW')}（第 ${version} 版）；寄出時亦以此政策判斷。`,
    findingsHeading: '發現的標示',
    noFindings: '未發現機敏標示。',
    location: (kind: string, name?: string) =>
      ({
        subject: '主旨',
        body: '本文',
        label: '敏感度標籤',
        header: '郵件標頭',
        attachment: `附件「${name ?? ''}」`,
        other: '其他',
      })[kind] ?? kind,
    rule: (rule: string) => RULES_ZH[rule] ?? (rule.startsWith('custom.') ? `機關自訂規則（${rule.slice(7)}）` : rule),
    excerptLabel: '摘錄（僅顯示於本機）',
    excerptMarkStart: '（標示開始）',
    excerptMarkEnd: '（標示結束）',
    strippable: '可移除',
    notStrippable: '整封郵件或整份附件',
    unscannable: (reason: UnscannableReason) => UNSCANNABLE_ZH[reason] ?? reason,
    part: (p: string) =>
      p === '#name' ? '位置：附件檔名' : p.endsWith('#name') ? `位置：${p.slice(0, -5)}（名稱）` : `位置：${p}`,
    attachmentsHeading: '附件',
    noAttachments: '沒有附件。',
    attachmentsListing: '正在讀取附件清單…',
    attachmentsNotChecked: '附件尚未檢查。',
    attachmentSize: (n: number) => bytes(n),
    attachmentPending: '等待檢查',
    attachmentScanning: '檢查中',
    pdfPagesRead: (read: number, total: number) => `已讀 ${read} / ${total} 頁`,
    pdfPagesDecided: (read: number, total: number) => `讀 ${read} / ${total} 頁即已判定阻擋，其餘頁面未讀`,
    attachmentClean: '未發現標示',
    attachmentMarked: (count: number) => `${count} 處標示`,
    attachmentUnscannable: '無法檢查',
    attachmentInline: '內嵌圖片',
    // Punctuation and level names, per language: full-width in zh-TW, never in the English pane.
    levelName: (level: Level): string => level,
    list: (items: readonly string[]) => items.join('、'),
    labelled: (label: string, value: string) => `${label}：${value}`,
    withNote: (text: string, note: string) => (note ? `${text}（${note}）` : text),
    progressLabel: (name: string) => `「${name}」的檢查進度`,
    // Mark selection
    markHeading: '標示選取的內容',
    markHelp:
      '在郵件本文選取要以書面發送的段落，選擇密等後按「標示選取內容」。標示會以〔機密〕…〔/機密〕的文字顯示在郵件中。',
    markLevel: '密等',
    markButton: '標示選取內容',
    markDone: (level: Level) => `已將選取內容標示為「${level}」。`,
    markEmpty: '沒有選取任何文字。請先在郵件本文中選取要標示的內容。',
    markSubject: '主旨中的標示會使整封郵件無法寄出；請在本文中選取。',
    markAlready: '選取的內容已有標示。',
    markFailed: (detail: string) => `無法標示：${detail}`,
    // Override
    overrideHeading: '仍要傳送',
    overrideHelp:
      '政策允許您說明理由後仍然傳送。理由會記錄於稽核紀錄供政風人員查核；請以自己的話說明，不要貼上郵件內容。',
    overrideReason: '理由',
    overrideButton: '記錄理由',
    overrideProblem: (p: string) =>
      ({
        'too-short': '理由至少需要 10 個字。',
        'too-long': '理由最多 300 個字。',
        'has-mark': '理由中含有機敏標示；請勿貼上郵件內容。',
        'repeats-content': '理由與郵件內容重複；請以自己的話說明。',
        'control-characters': '理由含有無法使用的字元。',
      })[p] ?? p,
    overrideDone: '已記錄理由。請再按一次 Outlook 的「傳送」寄出（30 分鐘內有效；郵件的標示有變動時須重新填寫）。',
    overrideFailed: (detail: string) => `無法記錄理由：${detail}。郵件未變更。`,
    overrideNotGranted: (detail: string) => `理由已記錄，但未能交給寄出檢查：${detail}。請再試一次。`,
    overrideUnavailable: '此版 Outlook 無法在寄出時採用您的理由：請移除標示的內容後再寄出，或洽政風單位。',
    // Strip
    stripHeading: '移除機敏內容並以書面發送',
    stripIntro: '標示的段落與附件會自郵件移除，原處留下說明與簽收單號；移除的內容請列印後以書面發送，並請收件人簽收。',
    stripNothing: '沒有可以移除的標示內容。',
    stripBodyParts: (count: number, chars: number) => `本文 ${count} 段，共 ${chars} 字`,
    stripAttachmentsHeading: '要移除的附件',
    stripAttachmentMarked: (level: Level) => `含「${level}」標示`,
    stripCannotRemove: (name: string, reason: string) =>
      `「${name}」無法由增益集移除（${{ cloud: '雲端附件', 'inline-not-in-body': '內嵌圖片不在本文中', 'not-read': '未能讀取內容' }[reason] ?? reason}），請自行移除。`,
    stripRemaining: (count: number) =>
      `另有 ${count} 處標示屬整封郵件（例如主旨或密等欄位），無法只移除部分；請自行修改。`,
    stripNeedsRecipients: '請先填寫收件人：簽收單需要收件人。',
    stripButton: '移除並建立簽收單',
    stripStep: (step: string) =>
      ({
        receipt: '建立簽收單…',
        body: '修改郵件本文…',
        attachments: '移除附件…',
        verify: '重新檢查郵件…',
        audit: '記錄稽核…',
      })[step] ?? step,
    stripDone: (receipt: string) => `已移除機敏內容。簽收單號：${receipt}。請列印簽收單，將移除的內容以書面發送。`,
    stripStillFlagged: '移除後重新檢查仍有標示，郵件尚不能傳送。請查看「檢查」頁。',
    stripFailed: (detail: string) => `移除未完成：${detail}`,
    stripRestored: '郵件已還原為移除前的內容，簽收單已作廢。',
    stripNotRestored: '無法自動還原郵件本文。請勿傳送；按「還原原文」再試一次，或關閉郵件不儲存。',
    stripPartialAttachments: (names: string) => `下列附件未能移除，請自行移除後再傳送：${names}`,
    stripUnchanged: '郵件未變更。',
    stripAuditMissing: '稽核紀錄未能寫入伺服器；簽收單已建立。',
    stripSaltsNotKept:
      '本電腦未能保存簽收單的鹽值（核對書面內容所需，伺服器不保存）。請現在列印簽收單；關閉本窗格後即無法再印出鹽值。',
    stripVerifyFailed: (detail: string) => `無法重新檢查郵件：${detail}。傳送前請按「重新檢查」。`,
    stripVerified: '重新檢查：郵件已無機敏標示，可以傳送。',
    restoreButton: '還原原文',
    restoreDone: '已還原移除前的郵件本文。',
    restorePartial: (names: string) => `本文已還原，但下列附件無法放回，請自行重新附加：${names}`,
    sendAgain: '請再按一次 Outlook 的「傳送」。',
    printReceipt: '列印簽收單',
    referenceLabel: '文號（選填）',
    referenceHint: '印在簽收單上；只存於本電腦，不傳送至伺服器。',
    referenceTooLong: (max: number) => `文號最多 ${max} 字。`,
    referenceCharacter: (codePoint: string) => `文號含有看不見或控制字元（${codePoint}），請重新輸入。`,
    receiptCheckValues: '核對值（與書面簽收單比對）',
    receiptLegacyNoCheckValue: '舊格式：無核對值',
    // Receipts
    receiptsHeading: '我的簽收單',
    receiptsEmpty: '尚無簽收單。',
    receiptsRefresh: '重新整理',
    receiptNumber: '簽收單號',
    receiptDate: '日期',
    receiptRecipients: (n: number) => `${n} 位收件人`,
    receiptParts: (n: number) => `${n} 項內容`,
    receiptStatus: (s: ReceiptStatus) =>
      ({ pending: '待發送', sent: '已發送', signed: '已簽收', cancelled: '已作廢' })[s],
    receiptMark: (s: ReceiptStatus) =>
      ({ pending: '待發送', sent: '標示為已發送', signed: '標示為已簽收', cancelled: '作廢' })[s],
    receiptUpdated: (id: string, s: string) => `簽收單 ${id} 已更新為「${s}」。`,
    receiptPrint: '列印',
    receiptOpen: '開啟',
    receiptPrintFrame: (id: string) => `簽收單 ${id} 預覽`,
    // Errors and sign-in
    signInFailed: (detail: string) => `無法登入：${detail}`,
    serverError: (detail: string) => `伺服器錯誤：${detail}`,
    officeNotReady: '無法連線到 Outlook。請關閉後重新開啟此窗格。',
    openInOutlook: '請在 Outlook 中開啟此窗格：撰寫郵件時，按功能區的「檢查機敏內容」。此網頁本身無法檢查郵件。',
    dismiss: '關閉',
  },
  en: {
    appTitle: 'Secrecy Guard',
    appSubtitle: 'Sensitive content check',
    loading: 'Loading…',
    tabsLabel: 'Views',
    tabCheck: 'Check',
    tabStrip: 'Remove sensitive content',
    tabReceipts: 'Receipts',
    scanning: 'Checking the message…',
    scanningAttachment: (name: string, done: number, total: number) =>
      `Checking attachment “${name}” (${done}/${total})`,
    scanDone: (verdict: string, count: number) => `Check complete: ${verdict}, ${count} mark(s).`,
    scanFailed: (detail: string) =>
      `The check could not finish: ${detail}. The send will be blocked or warned by policy, never simply allowed.`,
    rescan: 'Check again',
    lastScanned: (time: string) => `Last checked: ${time}`,
    verdictHeading: 'What happens when you send',
    verdict: (v: VerdictKind) =>
      ({ allow: 'Allowed', warn: 'Warning', strip: 'Remove sensitive content, then send', block: 'Blocked' })[v],
    verdictExplain: (v: VerdictKind) =>
      ({
        allow: 'No classification marks found. You can send.',
        warn: 'Something needs attention. Change the message, or give a reason and send anyway.',
        strip:
          'Sensitive meeting information must not go by e-mail. Remove sensitive content and send it on paper against a signed receipt.',
        block: 'This message cannot go by e-mail. Remove the classified document or handle it on paper.',
      })[v],
    blockRemovable:
      'This message cannot go by e-mail as it is. Remove sensitive content takes the marked attachments and passages out of it and creates a receipt for sending them on paper; the message is then checked again.',
    scope: (s: 'internal' | 'external', recipientCount: number): string =>
      recipientCount === 0
        ? 'No recipients yet: judged as for external recipients'
        : s === 'internal'
          ? 'All recipients are internal'
          : 'External recipients',
    policyFallback: 'The agency policy could not be loaded; the strictest default policy applies.',
    policyName: (name: string, version: number) => `Policy: ${nameIn(name, 'en')} (version ${version})`,
    policyCached: (name: string, version: number) =>
      `The server's policy could not be loaded; the policy loaded before applies, as it will when you send: ${nameIn(name, 'en')} (version ${version}).`,
    findingsHeading: 'Marks found',
    noFindings: 'No classification marks found.',
    location: (kind: string, name?: string) =>
      ({
        subject: 'Subject',
        body: 'Body',
        label: 'Sensitivity label',
        header: 'Message header',
        attachment: `Attachment “${name ?? ''}”`,
        other: 'Other',
      })[kind] ?? kind,
    rule: (rule: string) => RULES_EN[rule] ?? (rule.startsWith('custom.') ? `Agency rule (${rule.slice(7)})` : rule),
    excerptLabel: 'Excerpt (shown on this computer only)',
    excerptMarkStart: '[mark] ',
    excerptMarkEnd: ' [end of mark]',
    strippable: 'Removable',
    notStrippable: 'Whole message or attachment',
    unscannable: (reason: UnscannableReason) => UNSCANNABLE_EN[reason] ?? reason,
    part: (p: string) =>
      p === '#name' ? 'Where: the file name' : p.endsWith('#name') ? `Where: ${p.slice(0, -5)} (name)` : `Where: ${p}`,
    attachmentsHeading: 'Attachments',
    noAttachments: 'No attachments.',
    attachmentsListing: 'Reading the list of attachments…',
    attachmentsNotChecked: 'The attachments have not been checked.',
    attachmentSize: (n: number) => bytes(n),
    attachmentPending: 'Waiting',
    attachmentScanning: 'Checking',
    pdfPagesRead: (read: number, total: number) => `${read} of ${total} pages read`,
    pdfPagesDecided: (read: number, total: number) =>
      `Blocked after ${read} of ${total} pages; the other pages were not read`,
    attachmentClean: 'No marks',
    attachmentMarked: (count: number) => `${count} mark(s)`,
    attachmentUnscannable: 'Cannot be checked',
    attachmentInline: 'Inline image',
    levelName: (level: Level): string => englishLevel(level),
    list: (items: readonly string[]) => items.join(', '),
    labelled: (label: string, value: string) => `${label}: ${value}`,
    withNote: (text: string, note: string) => (note ? `${text} (${note})` : text),
    progressLabel: (name: string) => `Progress checking “${name}”`,
    markHeading: 'Mark the selection',
    markHelp:
      'Select the passage in the body that must go on paper, choose its level and press Mark selection. The mark shows in the message as 〔機密〕…〔/機密〕.',
    markLevel: 'Level',
    markButton: 'Mark selection',
    markDone: (level: Level) => `The selection is marked as ${englishLevel(level)}.`,
    markEmpty: 'Nothing is selected. Select the text to mark in the message body first.',
    markSubject: 'A mark in the subject stops the whole message; select text in the body instead.',
    markAlready: 'The selection is already marked.',
    markFailed: (detail: string) => `Could not mark: ${detail}`,
    overrideHeading: 'Send anyway',
    overrideHelp:
      'Policy lets you send after giving a reason. The reason is kept in the audit log for the ethics office; write it in your own words and do not paste the message.',
    overrideReason: 'Reason',
    overrideButton: 'Record reason',
    overrideProblem: (p: string) =>
      ({
        'too-short': 'Give at least 10 characters.',
        'too-long': 'Use at most 300 characters.',
        'has-mark': 'The reason has a classification mark in it; do not paste the message.',
        'repeats-content': 'The reason repeats the message; use your own words.',
        'control-characters': 'The reason has characters that cannot be used.',
      })[p] ?? p,
    overrideDone:
      'Reason recorded. Press Send in Outlook again (valid for 30 minutes; if the marks in the message change, give the reason again).',
    overrideFailed: (detail: string) => `The reason could not be recorded: ${detail}. The message is unchanged.`,
    overrideNotGranted: (detail: string) =>
      `The reason is recorded, but could not be handed to the send check: ${detail}. Try again.`,
    overrideUnavailable:
      'This version of Outlook cannot take your reason into account when you send: remove the marked content, or ask your ethics office.',
    stripHeading: 'Remove sensitive content and send it on paper',
    stripIntro:
      'The marked passages and attachments are removed from the message and a note with the receipt number is left in their place; print the removed content, deliver it on paper and have the recipients sign.',
    stripNothing: 'There is no marked content to remove.',
    stripBodyParts: (count: number, chars: number) => `${count} passage(s) of the body, ${chars} characters`,
    stripAttachmentsHeading: 'Attachments to remove',
    stripAttachmentMarked: (level: Level) => `marked ${englishLevel(level)}`,
    stripCannotRemove: (name: string, reason: string) =>
      `“${name}” cannot be removed by the add-in (${{ cloud: 'cloud attachment', 'inline-not-in-body': 'inline image not found in the body', 'not-read': 'its content could not be read' }[reason] ?? reason}); remove it yourself.`,
    stripRemaining: (count: number) =>
      `${count} more mark(s) classify the whole message (the subject or the 密等 field) and cannot be removed in part; edit them yourself.`,
    stripNeedsRecipients: 'Add the recipients first: the receipt names them.',
    stripButton: 'Remove and create receipt',
    stripStep: (step: string) =>
      ({
        receipt: 'Creating the receipt…',
        body: 'Changing the message body…',
        attachments: 'Removing attachments…',
        verify: 'Checking the message again…',
        audit: 'Recording the audit event…',
      })[step] ?? step,
    stripDone: (receipt: string) =>
      `Sensitive content removed. Receipt number ${receipt}. Print the receipt and deliver the removed content on paper.`,
    stripStillFlagged: 'The check after removal still finds marks; the message cannot go yet. See the Check view.',
    stripFailed: (detail: string) => `The removal did not finish: ${detail}`,
    stripRestored: 'The message is back as it was before the removal, and the receipt is cancelled.',
    stripNotRestored:
      'The message body could not be restored automatically. Do not send; press “Restore original” to try again, or close the message without saving.',
    stripPartialAttachments: (names: string) =>
      `These attachments could not be removed; remove them yourself before sending: ${names}`,
    stripUnchanged: 'The message is unchanged.',
    stripAuditMissing: 'The audit event could not be recorded on the server; the receipt was created.',
    stripSaltsNotKept:
      'This computer could not keep the receipt’s salts (needed to check the content sent on paper; the server does not keep them). Print the receipt now: once this pane closes they cannot be printed again.',
    stripVerifyFailed: (detail: string) =>
      `The message could not be checked again: ${detail}. Press “Check again” before sending.`,
    stripVerified: 'Checked again: no classification marks remain; the message can be sent.',
    restoreButton: 'Restore original',
    restoreDone: 'The message body is restored to what it was before the removal.',
    restorePartial: (names: string) =>
      `The body is restored, but these attachments could not be put back; attach them again yourself: ${names}`,
    sendAgain: 'Press Send in Outlook again.',
    printReceipt: 'Print receipt',
    referenceLabel: 'Reference no. (文號, optional)',
    referenceHint: 'Printed on the receipt; kept on this computer only, never sent to the server.',
    referenceTooLong: (max: number) => `The reference number is at most ${max} characters.`,
    referenceCharacter: (codePoint: string) =>
      `The reference number holds an invisible or control character (${codePoint}); type it again.`,
    receiptCheckValues: 'Check values (compare with the paper)',
    receiptLegacyNoCheckValue: 'Legacy format: no check value',
    receiptsHeading: 'My receipts',
    receiptsEmpty: 'No receipts yet.',
    receiptsRefresh: 'Refresh',
    receiptNumber: 'Receipt no.',
    receiptDate: 'Date',
    receiptRecipients: (n: number) => `${n} recipient(s)`,
    receiptParts: (n: number) => `${n} part(s)`,
    receiptStatus: (s: ReceiptStatus) =>
      ({ pending: 'Pending', sent: 'Sent', signed: 'Signed', cancelled: 'Cancelled' })[s],
    receiptMark: (s: ReceiptStatus) =>
      ({ pending: 'Pending', sent: 'Mark as sent', signed: 'Mark as signed', cancelled: 'Cancel' })[s],
    receiptUpdated: (id: string, s: string) => `Receipt ${id} is now “${s}”.`,
    receiptPrint: 'Print',
    receiptOpen: 'Open',
    receiptPrintFrame: (id: string) => `Preview of receipt ${id}`,
    signInFailed: (detail: string) => `Could not sign in: ${detail}`,
    serverError: (detail: string) => `Server error: ${detail}`,
    officeNotReady: 'Outlook could not be reached. Close and reopen this pane.',
    openInOutlook:
      'Open this pane in Outlook: while writing a message, choose Check for marks on the ribbon. This page cannot check mail on its own.',
    dismiss: 'Dismiss',
  },
});

export type Messages = ReturnType<typeof messages>;

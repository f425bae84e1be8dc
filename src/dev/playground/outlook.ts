/**
 * The simulated Outlook compose window: subject, recipients, a body editor and attachments the user can drop or pick,
 * beside the real task pane; Send runs the built on-send script in a fresh runtime (a hidden frame), and a Smart Alert
 * is shown as a dialog with the buttons Outlook would give it.
 */
import { ADDIN_ACTIONS, LOCAL_MODE_PATHS } from '../../shared/app-ids';
import {
  createFakeItem,
  createFakeMailbox,
  type FakeEvent,
  type FakeItemState,
  type FakeOffice,
  type FakeRecipient,
} from '../fakes/office/office-host';
import type { TaskPaneController } from '../fakes/office/task-pane';
import { publishBridge } from './bridge';
import { SENDER } from './people';
import { tokenFor } from './tokens';

/** The send check's requirement set: Smart Alerts with Markdown messages. */
const MAILBOX_VERSION = '1.15';

const SAMPLE = {
  subject: '第三季預算協調會議結論',
  bodyHtml:
    '<p>各位好，</p><p>會議結論如下：</p><p>一、〔機密〕甲案金額為新臺幣三千萬元〔/機密〕</p><p>二、其餘事項照案通過。</p><p>謝謝</p>',
  to: 'wang@example.gov.tw',
  cc: 'chen@partner.com.tw',
};

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) {
    throw new Error(`playground page: #${id} is missing`);
  }
  return el as T;
}

/** `a@x; b@y, 王科長 <c@z>` → recipients. */
export function parseRecipients(line: string): FakeRecipient[] {
  return line
    .split(/[,;，；\n]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const named = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(part);
      return named
        ? { emailAddress: named[2] as string, displayName: (named[1] as string).trim() || (named[2] as string) }
        : { emailAddress: part };
    });
}

const formatRecipients = (list: readonly FakeRecipient[]): string =>
  list
    .map((r) =>
      r.displayName && r.displayName !== r.emailAddress ? `${r.displayName} <${r.emailAddress}>` : r.emailAddress,
    )
    .join('; ');

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Smart Alerts Markdown as Outlook shows it: paragraphs, list items and **bold**, never HTML. */
function renderAlert(target: HTMLElement, text: string): void {
  target.replaceChildren();
  let list: HTMLUListElement | null = null;
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    const line = raw.trim();
    if (line === '') {
      list = null;
      continue;
    }
    const item = /^[-*]\s+(.*)$/.exec(line);
    let block: HTMLElement;
    if (item) {
      list ??= target.appendChild(document.createElement('ul'));
      block = list.appendChild(document.createElement('li'));
    } else {
      list = null;
      block = target.appendChild(document.createElement('p'));
    }
    (item ? (item[1] as string) : line).split('**').forEach((piece, i) => {
      const node = i % 2 === 1 ? document.createElement('strong') : document.createElement('span');
      node.textContent = piece;
      block.appendChild(node);
    });
  }
}

export function startOutlook(): void {
  const compose = {
    to: byId<HTMLInputElement>('to'),
    cc: byId<HTMLInputElement>('cc'),
    subject: byId<HTMLInputElement>('subject'),
    body: byId<HTMLDivElement>('body'),
    files: byId<HTMLInputElement>('files'),
    drop: byId<HTMLDivElement>('drop'),
    attachments: byId<HTMLUListElement>('attachments'),
    status: byId<HTMLParagraphElement>('send-status'),
    sent: byId<HTMLUListElement>('sent-items'),
    send: byId<HTMLButtonElement>('send'),
    pane: byId<HTMLIFrameElement>('pane'),
  };
  const dialog = byId<HTMLDialogElement>('alert');
  const alertBody = byId<HTMLDivElement>('alert-body');
  const alertCancel = byId<HTMLButtonElement>('alert-cancel');
  const alertOverride = byId<HTMLButtonElement>('alert-override');
  byId<HTMLSpanElement>('from').textContent = `${SENDER.name} <${SENDER.upn}>`;

  // Every write to the item (the user here, the pane's strip in its frame) re-renders the compose window.
  let renderQueued = false;
  const item: FakeItemState = new Proxy(createFakeItem(), {
    set(target, key, value) {
      (target as unknown as Record<PropertyKey, unknown>)[key] = value;
      if (!renderQueued) {
        renderQueued = true;
        queueMicrotask(render);
      }
      return true;
    },
  });
  const mailbox = createFakeMailbox();
  let pane: TaskPaneController | null = null;
  let paneContext: string | null = null;
  let runtimeOffice: ((office: FakeOffice) => void) | null = null;
  let shownBody: string | null = null;
  let attachmentSeq = 0;

  publishBridge({
    item,
    mailbox,
    mailboxVersion: MAILBOX_VERSION,
    displayLanguage: 'zh-TW',
    sender: SENDER,
    token: tokenFor,
    get paneContext() {
      return paneContext;
    },
    paneAttached: (controller) => {
      pane = controller;
    },
    runtimeStarted: (office) => runtimeOffice?.(office),
  });

  function render(): void {
    renderQueued = false;
    if (document.activeElement !== compose.subject && compose.subject.value !== item.subject) {
      compose.subject.value = item.subject;
    }
    for (const field of ['to', 'cc'] as const) {
      const input = compose[field];
      if (document.activeElement !== input) {
        input.value = formatRecipients(item[field]);
      }
    }
    if (item.bodyHtml !== shownBody) {
      // The pane rewrote the body (a strip, a mark): show it as it now is. The page's CSP runs no script in it.
      shownBody = item.bodyHtml;
      compose.body.innerHTML = item.bodyHtml;
    }
    compose.attachments.replaceChildren(
      ...item.attachments
        .filter((a) => !a.isInline)
        .map((a) => {
          const li = document.createElement('li');
          li.dataset.attachment = a.name;
          li.append(`${a.name}（${Math.max(1, Math.round(a.size / 1024))} KB） `);
          const remove = document.createElement('button');
          remove.type = 'button';
          remove.textContent = '移除 Remove';
          remove.setAttribute('aria-label', `移除附件 ${a.name} / Remove attachment ${a.name}`);
          remove.addEventListener('click', () => removeAttachment(a.id));
          li.append(remove);
          return li;
        }),
    );
  }

  // The user's edits go through the pane's host when the pane is open, so it hears the change events Outlook fires.
  const setBody = (html: string): void => {
    shownBody = html;
    if (pane) {
      pane.setBody(html);
    } else {
      item.bodyHtml = html;
    }
  };
  const setRecipients = (field: 'to' | 'cc', list: FakeRecipient[]): void => {
    if (pane) {
      pane.setRecipients(field, list);
    } else {
      item[field] = list;
    }
  };
  const addAttachment = async (file: File): Promise<void> => {
    const attachment = {
      id: `playground-${++attachmentSeq}`,
      name: file.name,
      size: file.size,
      attachmentType: 'file' as const,
      content: { format: 'base64' as const, content: await base64Of(file) },
    };
    if (pane) {
      pane.addAttachment(attachment);
    } else {
      item.attachments = [...item.attachments, attachment];
    }
  };
  const removeAttachment = (id: string): void => {
    if (pane) {
      pane.removeAttachment(id);
    } else {
      item.attachments = item.attachments.filter((a) => a.id !== id);
    }
  };
  const say = (result: 'sent' | 'blocked' | 'checking' | '', text: string): void => {
    compose.status.dataset.sendResult = result;
    compose.status.textContent = text;
  };

  compose.subject.addEventListener('input', () => {
    if (pane) {
      pane.setSubject(compose.subject.value);
    } else {
      item.subject = compose.subject.value;
    }
  });
  for (const field of ['to', 'cc'] as const) {
    compose[field].addEventListener('change', () => setRecipients(field, parseRecipients(compose[field].value)));
  }
  compose.body.addEventListener('input', () => setBody(compose.body.innerHTML));
  // 「標示選取內容」 reads the selection from the host: the text selected here, found in the body's HTML.
  document.addEventListener('selectionchange', () => {
    const selection = document.getSelection();
    if (!pane || !selection || !compose.body.contains(selection.anchorNode)) {
      return;
    }
    const text = selection.toString();
    try {
      if (text) {
        pane.select(text);
      } else {
        pane.clearSelection();
      }
    } catch {
      pane.clearSelection();
    }
  });
  compose.files.addEventListener('change', () => {
    void Promise.all([...(compose.files.files ?? [])].map(addAttachment)).then(() => {
      compose.files.value = '';
    });
  });
  compose.drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    compose.drop.classList.add('over');
  });
  compose.drop.addEventListener('dragleave', () => compose.drop.classList.remove('over'));
  compose.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    compose.drop.classList.remove('over');
    void Promise.all([...(e.dataTransfer?.files ?? [])].map(addAttachment));
  });

  const openPane = (context: string | null): void => {
    paneContext = context;
    pane = null;
    compose.pane.src = `${LOCAL_MODE_PATHS.paneShell}?open=${Date.now()}`;
  };
  byId('open-pane').addEventListener('click', () => openPane(null));
  byId('sample').addEventListener('click', () => {
    item.subject = SAMPLE.subject;
    setRecipients('to', parseRecipients(SAMPLE.to));
    setRecipients('cc', parseRecipients(SAMPLE.cc));
    setBody(SAMPLE.bodyHtml);
    compose.body.innerHTML = SAMPLE.bodyHtml;
    say('', '');
  });
  byId('new-mail').addEventListener('click', () => {
    item.subject = '';
    setRecipients('to', []);
    setRecipients('cc', []);
    setBody('');
    compose.body.innerHTML = '';
    for (const a of item.attachments) {
      removeAttachment(a.id);
    }
    for (const key of Object.keys(item.sessionData)) {
      delete item.sessionData[key];
    }
    say('', '');
    openPane(null);
  });

  /** One send check: a fresh runtime frame, the OnMessageSend event, and the first `completed()`. */
  let runtimeFrame: HTMLIFrameElement | null = null;
  const runSendCheck = async (): Promise<Record<string, unknown> | undefined> => {
    runtimeFrame?.remove();
    const office = new Promise<FakeOffice>((resolve) => {
      runtimeOffice = resolve;
    });
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = '傳送檢查 Send check';
    const loaded = new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
    frame.src = `${LOCAL_MODE_PATHS.playground}runtime.html`;
    document.body.appendChild(frame);
    runtimeFrame = frame;
    const fake = await office;
    await loaded;
    const handler = fake.handlers.get(ADDIN_ACTIONS.onMessageSend);
    if (!handler) {
      throw new Error('the on-send script registered no OnMessageSend handler');
    }
    const event: FakeEvent = fake.event('OnMessageSend');
    handler(event);
    return event.whenCompleted();
  };

  let overrideSend: (() => void) | null = null;
  const sent = (): void => {
    const li = document.createElement('li');
    li.textContent = `${item.subject || '（無主旨 no subject）'} → ${formatRecipients([...item.to, ...item.cc])}`;
    compose.sent.prepend(li);
    say('sent', '已傳送（模擬）。 Sent (simulated).');
  };
  compose.send.addEventListener('click', () => {
    setRecipients('to', parseRecipients(compose.to.value));
    setRecipients('cc', parseRecipients(compose.cc.value));
    if (item.to.length + item.cc.length === 0) {
      say('blocked', '請輸入收件者。 Enter a recipient.');
      return;
    }
    compose.send.disabled = true;
    say('checking', '傳送檢查中… Checking before sending…');
    runSendCheck()
      .then((options) => {
        if (!options || options.allowEvent !== false) {
          sent();
          return;
        }
        say('blocked', '未傳送：機敏守門員已擋下。 Not sent: Secrecy Guard stopped it.');
        renderAlert(alertBody, String(options.errorMessageMarkdown ?? options.errorMessage ?? ''));
        alertCancel.textContent = typeof options.cancelLabel === 'string' ? options.cancelLabel : "不要傳送 Don't send";
        alertCancel.onclick = () => {
          dialog.close();
          // The button the Smart Alert names opens the pane on what the send check left for it.
          if (typeof options.commandId === 'string') {
            openPane(typeof options.contextData === 'string' ? options.contextData : null);
          }
        };
        alertOverride.hidden = options.sendModeOverride !== 'promptUser';
        overrideSend = () => {
          dialog.close();
          sent();
        };
        dialog.showModal();
      })
      .catch((e: unknown) => {
        say('blocked', `傳送檢查失敗，未傳送。 The send check failed; not sent. (${String(e)})`);
      })
      .finally(() => {
        compose.send.disabled = false;
      });
  });
  alertOverride.addEventListener('click', () => overrideSend?.());
  render();
  openPane(null);
}

/**
 * The Smart Alerts dialog's button chosen again while the pane is open: from Mailbox 1.15 Outlook raises
 * `InitializationContextChanged` on the item (Office.InitializationContextChangedEventArgs, `initializationContextData`)
 * instead of reloading the pane. The adapter hands the new context on; below 1.15 it registers nothing.
 */
import { onInitializationContextChange, readInitializationContext } from '../../../../addin/office';
import { viewFromContext } from '../../../../addin/taskpane/model/initial-view';
import { extendForTaskPane } from '../../../../src/dev/fakes/office/task-pane';
import { createFakeItem, createFakeOffice, type FakeMailboxVersion } from '../../../fakes/office';

const host = globalThis as { Office?: unknown };

function install(version: FakeMailboxVersion) {
  const item = createFakeItem({ subject: 's' });
  const office = createFakeOffice({ mailboxVersion: version, item });
  const controller = extendForTaskPane(office, item, {
    initializationContext: '{"source":"on-send","view":"strip","verdict":"block"}',
  });
  host.Office = office.Office;
  return { office, controller };
}

afterEach(() => {
  delete host.Office;
});

const next = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('InitializationContextChanged', () => {
  it('at Mailbox 1.15 the new context reaches the open pane, which stops listening when asked', async () => {
    const { office, controller } = install('1.15');
    const seen: (string | null)[] = [];
    const stop = await onInitializationContextChange((data) => seen.push(data));
    expect(office.calls).toContainEqual({ api: 'item.addHandlerAsync', detail: 'olkInitializationContextChanged' });

    controller.reopenFromDialog('{"source":"on-send","view":"override","verdict":"warn"}');
    await next();
    expect(seen.map(viewFromContext)).toEqual(['override']);
    // What getInitializationContextAsync answers follows too, for a page that reads it again.
    expect(viewFromContext(await readInitializationContext())).toBe('override');

    stop();
    await next();
    controller.reopenFromDialog('{"source":"on-send","view":"strip","verdict":"block"}');
    await next();
    expect(seen).toHaveLength(1);
  });

  it('below 1.15 nothing is registered (Outlook reloads the pane instead)', async () => {
    const { office } = install('1.14');
    const stop = await onInitializationContextChange(() => undefined);
    stop();
    expect(office.calls.filter((c) => c.api === 'item.addHandlerAsync')).toEqual([]);
  });
});

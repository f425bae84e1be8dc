/**
 * addin/office against the Office host fake: failures become OfficeApiError with Office's code and name, storage
 * limits and quirks are handled, and an event completes once whatever its callers do.
 */
import {
  completionOf,
  isOfficeApiError,
  readAttachmentContent,
  readRecipients,
  roamingSettings,
  sessionData,
  sessionDataLimit,
  supportsMailbox,
} from '../../../addin/office';
import { createFakeItem, createFakeOffice, type FakeMailboxVersion, OFFICE_ERRORS } from '../../fakes/office';

const host = globalThis as { Office?: unknown; OfficeRuntime?: unknown };

function install(version: FakeMailboxVersion, item = createFakeItem()) {
  const fake = createFakeOffice({ mailboxVersion: version, item });
  host.Office = fake.Office;
  host.OfficeRuntime = fake.OfficeRuntime;
  return { fake, item };
}

afterEach(() => {
  delete host.Office;
  delete host.OfficeRuntime;
});

it('turns a failed AsyncResult into an OfficeApiError with Office’s code and name', async () => {
  install('1.15', createFakeItem({ attachments: [] }));
  const error = await readAttachmentContent('no-such-id').catch((e: unknown) => e);
  expect(isOfficeApiError(error)).toBe(true);
  expect(error).toMatchObject({ api: 'getAttachmentContentAsync', code: 9003, officeName: 'InvalidAttachmentId' });
});

it('sessionData: a missing key is null, the 50,000 / 2,621,440 character limit is Office’s 9051, an empty store reads as {}', async () => {
  install('1.15');
  expect(await sessionData.get('nothing')).toBeNull();
  expect(await sessionData.getAll()).toEqual({});
  expect(sessionDataLimit()).toBe(50000);
  await sessionData.set('a', 'x'.repeat(40000));
  await expect(sessionData.set('b', 'x'.repeat(10000))).rejects.toMatchObject({
    code: OFFICE_ERRORS.SessionObjectMaxLengthExceeded.code,
  });
  await sessionData.remove('never-set');

  install('1.16');
  expect(sessionDataLimit()).toBe(2621440);
  await sessionData.set('big', 'x'.repeat(1000000));
  expect(await sessionData.getAll()).toEqual({ big: 'x'.repeat(1000000) });

  install('1.10');
  expect(sessionData.supported()).toBe(false);
});

it('roaming settings: saved within 32 KB, refused past it with GenericSettingsError', async () => {
  install('1.15');
  roamingSettings.set('small', { v: 1 });
  await roamingSettings.save();
  roamingSettings.set('large', 'x'.repeat(33000));
  await expect(roamingSettings.save()).rejects.toMatchObject({ code: 9019, officeName: 'GenericSettingsError' });
  expect(roamingSettings.get('missing')).toBeNull();
});

it('reads to/cc/bcc of a message and the attendees of an appointment, with Exchange’s recipient type', async () => {
  install(
    '1.12',
    createFakeItem({
      to: [{ emailAddress: 'a@x.gov.tw' }],
      bcc: [{ emailAddress: 'b@y.com', recipientType: 'externalUser' }],
    }),
  );
  expect((await readRecipients()).map((r) => [r.field, r.emailAddress, r.recipientType])).toEqual([
    ['to', 'a@x.gov.tw', 'user'],
    ['bcc', 'b@y.com', 'externalUser'],
  ]);
  install(
    '1.12',
    createFakeItem({
      itemType: 'appointment',
      requiredAttendees: [{ emailAddress: 'list@x.gov.tw', recipientType: 'distributionList' }],
      optionalAttendees: [{ emailAddress: 'c@x.gov.tw' }],
    }),
  );
  expect((await readRecipients()).map((r) => [r.field, r.recipientType])).toEqual([
    ['requiredAttendees', 'distributionList'],
    ['optionalAttendees', 'user'],
  ]);
});

it('tells requirement sets apart', () => {
  install('1.14');
  expect([supportsMailbox('1.12'), supportsMailbox('1.14'), supportsMailbox('1.15')]).toEqual([true, true, false]);
});

it('completes an event once: later calls, from a timer or a second path, do nothing', () => {
  const { fake } = install('1.15');
  const event = fake.event('OnMessageSend');
  const completion = completionOf(event);
  expect(completion.complete({ allowEvent: false, errorMessage: 'x', promptUser: true })).toBe(true);
  expect(completion.complete({ allowEvent: true })).toBe(false);
  expect(completion.done).toBe(true);
  expect(event.completions).toEqual([{ allowEvent: false, errorMessage: 'x', sendModeOverride: 'promptUser' }]);
});

it('a host that throws at an option it lacks still gets the decision and the message, in the 1.12 form', () => {
  const fake = createFakeOffice({
    mailboxVersion: '1.12',
    item: createFakeItem(),
    completedRejectsUnsupportedOptions: true,
  });
  host.Office = fake.Office;
  const event = fake.event('OnMessageSend');
  const completion = completionOf(event);
  const options = {
    allowEvent: false,
    errorMessage: '偵測到機密標示',
    errorMessageMarkdown: '偵測到**機密**標示',
    cancelLabel: '在窗格中檢查',
    commandId: 'cmd',
    contextData: '{}',
    promptUser: true,
  };
  expect(completion.complete(options)).toBe(true);
  expect(event.completions).toEqual([{ allowEvent: false, errorMessage: '偵測到機密標示' }]);
  expect(event.violations).toEqual([]);
  // The first attempt reached the host and was refused; the second is the one that counted.
  expect(fake.calls.filter((c) => c.api === 'event.completed')).toHaveLength(2);
  expect(completion.complete({ allowEvent: true })).toBe(false);
  expect(event.completions).toHaveLength(1);
});

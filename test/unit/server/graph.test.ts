import { meetingChatId } from '../../../src/server/graph';

describe('the meeting chat behind a Teams meeting id', () => {
  const thread = '19:meeting_NTI4MjA3OGUtYzM3YS00YTBmLTkyOGMtNjNhZTJhOTk0NWQx@thread.v2';

  it('decodes the id a tab context gives (base64 of 0#<thread>#0, as in microsoft-teams-library-js#539)', () => {
    expect(
      meetingChatId(
        'MCMxOTptZWV0aW5nX05USTRNakEzT0dVdFl6TTNZUzAwWVRCbUxUa3lPR010TmpOaFpUSmhPVGswTldReEB0aHJlYWQudjIjMA==',
      ),
    ).toBe(thread);
  });

  it('takes a bare thread id as it is', () => {
    expect(meetingChatId(thread)).toBe(thread);
  });

  it.each([
    ['a plain name', 'ad-hoc-briefing-2025'],
    ['base64 of something else', Buffer.from('hello world').toString('base64')],
    [
      "Graph's own onlineMeeting id (1*<organizer>*0**<thread>)",
      Buffer.from(`1*00000000-0000-0000-0000-000000000001*0**${thread}`).toString('base64'),
    ],
    ['a thread id with a path in it', Buffer.from('0#19:meeting_x@thread.v2/../../users#0').toString('base64')],
    ['a one-to-one chat', Buffer.from('0#19:a_b@unq.gbl.spaces#0').toString('base64')],
  ])('%s → null (the caller falls back)', (_name, id) => {
    expect(meetingChatId(id)).toBeNull();
  });
});

/** The people of the playground: one sender in Outlook, a chair and three attendees in the Teams meeting. */
export interface PlaygroundUser {
  readonly oid: string;
  readonly name: string;
  readonly upn: string;
}

export const SENDER: PlaygroundUser = {
  oid: '00000000-0000-0000-0000-0000000005e1',
  name: '林承辦',
  upn: 'lin@example.gov.tw',
};

export const CHAIR: PlaygroundUser = {
  oid: '00000000-0000-0000-0000-00000000c4a1',
  name: '王主席',
  upn: 'chair@example.gov.tw',
};

export const ATTENDEES: readonly PlaygroundUser[] = [
  { oid: '00000000-0000-0000-0000-0000000a0001', name: '陳委員', upn: 'chen@example.gov.tw' },
  { oid: '00000000-0000-0000-0000-0000000a0002', name: '林科長', upn: 'lin.kc@example.gov.tw' },
  { oid: '00000000-0000-0000-0000-0000000a0003', name: '張專員', upn: 'chang@example.gov.tw' },
];

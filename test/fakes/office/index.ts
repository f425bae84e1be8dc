// The Office host fake lives in src/dev/fakes/office, where the local-mode playground uses the same one.
export * from '../../../src/dev/fakes/office/office-host';
export * from '../../../src/dev/fakes/office/task-pane';

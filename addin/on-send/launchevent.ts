/**
 * The on-send script: classic Outlook's JS-only runtime loads this one file directly, web, new Outlook and Mac load it
 * from commands.html after office.js. It registers exactly the action ids the manifests name; a send event without
 * a registered handler could not be sent at all.
 */
// First: the later built-ins the bundled libraries call, where the runtime (Chakra before 2403) has none.
import './runtime/es-builtins';

import { ADDIN_ACTIONS } from '../../src/shared/app-ids';
import { associateHandler } from '../office';
import { prescanAttachments, refreshOnRecipientsChange } from './background';
import { enforceSend } from './enforce';

associateHandler(ADDIN_ACTIONS.onMessageSend, enforceSend);
associateHandler(ADDIN_ACTIONS.onAppointmentSend, enforceSend);
associateHandler(ADDIN_ACTIONS.onMessageAttachmentsChanged, prescanAttachments);
associateHandler(ADDIN_ACTIONS.onAppointmentAttachmentsChanged, prescanAttachments);
associateHandler(ADDIN_ACTIONS.onMessageRecipientsChanged, refreshOnRecipientsChange);

import { mountPage } from '../shared/PageStates';
import { SidePanelPage } from './SidePanelPage';

mountPage('teams/side-panel', (t) => t.reminderHeading, SidePanelPage);

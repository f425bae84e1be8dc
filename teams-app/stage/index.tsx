import { mountPage } from '../shared/PageStates';
import { StagePage } from './StagePage';

mountPage('teams/stage', (t) => t.reminderHeading, StagePage);

import { mountPage } from '../shared/PageStates';
import { ConfigPage } from './ConfigPage';

mountPage('teams/config', (t) => t.configHeading, ConfigPage);

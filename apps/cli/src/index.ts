export { discoverApps } from './supervisor/apps.js';

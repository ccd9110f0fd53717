export { discoverApps } from '@fife/cluster';

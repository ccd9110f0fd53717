export { assertMatchesExpected, canonical, multiset, readScenario, scenarioFiles } from './expected.js';
export { privateVhost } from './broker-vhost.js';
export { dialplanOf, lastPlanSecond, ringLogMismatches, simPhoneOf, simulateCall, SIM_DOMAIN, withinOneSecond } from './sim.js';

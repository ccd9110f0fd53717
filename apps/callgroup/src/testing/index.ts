export { assertMatchesExpected, canonical, multiset, readScenario, scenarioFiles } from './expected.js';
export { dialplanOf, lastPlanSecond, ringLogMismatches, simPhoneOf, simulateCall, SIM_DOMAIN, withinOneSecond } from './sim.js';

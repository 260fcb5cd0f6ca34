import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { RULE_STEP_BUDGET } from "../../src/core/rules";
import { MAX_CACHED_HOSTS } from "../../src/edge/rollout-store";

/** README text with line breaks folded, so a phrase wrapped across lines still reads as one. */
const text = readme.replace(/\s+/g, " ");

// The README states limits that live in the code; these keep the two in step.
describe("README facts that live in the code", () => {
  it("states the rules' step budget per request", () => {
    expect(text).toContain(`a budget of ${RULE_STEP_BUDGET.toLocaleString("en-US")} steps`);
  });

  it("states how many hosts an isolate keeps", () => {
    expect(text).toContain(
      `keeps the rollouts of the ${MAX_CACHED_HOSTS.toLocaleString("en-US")} hosts it served most recently`,
    );
  });
});

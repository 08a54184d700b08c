// The SLA ledger from Node.js: sign an agreement, record readings, read compliance, and show
// what two failing calls carry in grpc-status-details-bin. Prints one JSON object on stdout.

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";

import {
  GetAgreementRequestSchema,
  GetComplianceRequestSchema,
  RecordMeasurementsRequestSchema,
  SignAgreementRequestSchema,
} from "../gen/sla/ledger/v1/ledger_service_pb.js";
import { ComplianceStatusSchema } from "../gen/sla/ledger/v1/compliance_pb.js";
import { AgreementKind, PeriodUnit } from "../gen/sla/ledger/v1/terms_pb.js";
import { UsageError, parseArguments } from "./arguments.js";
import { connectLedger } from "./ledger_client.js";
import { describeFailure } from "./status_details.js";

const at = (iso) => timestampFromDate(new Date(iso));

/** A monthly customer-based agreement with one objective: 99.9% of requests good. */
function signRequest(agreementId, targetPercent = "99.9") {
  return create(SignAgreementRequestSchema, {
    agreementId,
    signedAt: at("2024-12-15T00:00:00Z"),
    terms: {
      provider: { partyId: "acme-cloud", displayName: "ACME Cloud" },
      customer: { partyId: "globex", displayName: "Globex Corporation" },
      kind: AgreementKind.CUSTOMER_BASED,
      services: ["compute"],
      timeZone: "UTC",
      fee: { amount: { currencyCode: "EUR", amount: "1000.00" }, period: PeriodUnit.MONTH },
      termStart: at("2025-01-01T00:00:00Z"),
      objectives: [
        { objectiveId: "availability", metric: "availability", targetPercent, period: PeriodUnit.MONTH },
      ],
    },
  });
}

/** Three daily readings in February 2025: 2,989 of 3,000 requests good. */
function readings(agreementId) {
  const counts = [
    ["2025-02-03T12:00:00Z", 999n],
    ["2025-02-10T12:00:00Z", 990n],
    ["2025-02-17T12:00:00Z", 1000n],
  ];
  return create(RecordMeasurementsRequestSchema, {
    agreementId,
    measurements: counts.map(([observedAt, good]) => ({
      objectiveId: "availability",
      observedAt: at(observedAt),
      reading: { case: "counts", value: { good, total: 1000n } },
    })),
  });
}

/** The failure a call ends with, decoded; an error if it unexpectedly succeeds. */
async function failureOf(call) {
  try {
    await call();
  } catch (error) {
    return describeFailure(error);
  }
  throw new Error("the call was expected to fail and did not");
}

async function run({ target, agreementId, token }) {
  const ledger = connectLedger(target, { token });
  try {
    const signed = await ledger.signAgreement(signRequest(agreementId));
    const recorded = await ledger.recordMeasurements(readings(agreementId));
    const compliance = await ledger.getCompliance(
      create(GetComplianceRequestSchema, {
        agreementId,
        objectiveId: "availability",
        asOf: at("2025-02-20T00:00:00Z"),
        // Read models follow the log: wait until they hold the readings just recorded.
        minLogPosition: recorded.logPosition,
      }),
    );
    const [objective] = compliance.report.objectives;
    const [track] = objective.tracks;
    return {
      signed: {
        agreementId: signed.agreement.agreementId,
        version: Number(signed.agreement.version),
      },
      recorded: {
        recordedCount: Number(recorded.recordedCount),
        duplicateCount: Number(recorded.duplicateCount),
      },
      compliance: {
        objectiveId: objective.objectiveId,
        periodLabel: objective.periodLabel,
        status: ComplianceStatusSchema.value[objective.status].name,
        attained: track.attained,
        target: track.target,
        good: track.good,
        total: track.total,
      },
      // A target above 100%: INVALID_ARGUMENT with a BadRequest naming the field.
      invalidArgument: await failureOf(() =>
        ledger.signAgreement(signRequest(`${agreementId}-bad`.slice(0, 128), "150")),
      ),
      // An agreement that was never signed: NOT_FOUND.
      notFound: await failureOf(() =>
        ledger.getAgreement(create(GetAgreementRequestSchema, { agreementId: "no-such-agreement" })),
      ),
    };
  } finally {
    ledger.close();
  }
}

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${options.help}\n`);
    return;
  }
  try {
    const result = await run(options);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    const failure = error.code === undefined ? { message: String(error) } : describeFailure(error);
    process.stderr.write(`the example failed: ${JSON.stringify(failure)}\n`);
    process.exit(1);
  }
}

await main();

// Decoding grpc-status-details-bin: the google.rpc.Status a failing call's trailers carry.

import { createRegistry, fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { status as grpcStatus } from "@grpc/grpc-js";

import {
  BadRequestSchema,
  DebugInfoSchema,
  ErrorInfoSchema,
  HelpSchema,
  LocalizedMessageSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RequestInfoSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";

const STATUS_DETAILS_KEY = "grpc-status-details-bin";

// Every detail type google/rpc/error_details.proto defines, so none is silently skipped.
const DETAIL_TYPES = createRegistry(
  BadRequestSchema,
  DebugInfoSchema,
  ErrorInfoSchema,
  HelpSchema,
  LocalizedMessageSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RequestInfoSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
);

const CODE_NAMES = Object.fromEntries(
  Object.entries(grpcStatus).map(([name, number]) => [number, name]),
);

/** The name of a gRPC status code number, e.g. 5 -> "NOT_FOUND". */
export function codeName(code) {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

/**
 * What a failed call says, as plain data: the code's name, the message, and the details of
 * its google.rpc.Status (null where the status carries none of that kind). Unknown detail
 * types are listed by their type URL in `unknownDetails`.
 */
export function describeFailure(error) {
  const failure = {
    code: codeName(error.code),
    message: error.details ?? "",
    errorInfo: null,
    resourceInfo: null,
    fieldViolations: [],
    retryDelaySeconds: null,
    unknownDetails: [],
  };
  const encoded = error.metadata?.get(STATUS_DETAILS_KEY) ?? [];
  if (encoded.length === 0) {
    return failure;
  }
  const status = fromBinary(StatusSchema, encoded[0]);
  for (const detail of status.details) {
    const message = anyUnpack(detail, DETAIL_TYPES);
    switch (message?.$typeName) {
      case "google.rpc.ErrorInfo":
        failure.errorInfo = {
          reason: message.reason,
          domain: message.domain,
          metadata: { ...message.metadata },
        };
        break;
      case "google.rpc.ResourceInfo":
        failure.resourceInfo = {
          resourceType: message.resourceType,
          resourceName: message.resourceName,
        };
        break;
      case "google.rpc.BadRequest":
        failure.fieldViolations.push(
          ...message.fieldViolations.map(({ field, description }) => ({ field, description })),
        );
        break;
      case "google.rpc.RetryInfo": {
        const delay = message.retryDelay;
        failure.retryDelaySeconds = delay ? Number(delay.seconds) + delay.nanos / 1e9 : 0;
        break;
      }
      default:
        failure.unknownDetails.push(detail.typeUrl);
    }
  }
  return failure;
}

// A LedgerService client on @grpc/grpc-js, with the messages protoc-gen-es generated.
//
// grpc-js needs a service definition (path, streaming, serializers per method); protoc-gen-es
// writes a service descriptor instead, so grpcDefinition turns one into the other. Every
// unary method becomes a promise-returning function with a deadline.

import * as grpc from "@grpc/grpc-js";
import { fromBinary, toBinary } from "@bufbuild/protobuf";

import { LedgerService } from "../gen/sla/ledger/v1/ledger_service_pb.js";

/** The grpc-js service definition of a protoc-gen-es service descriptor. */
export function grpcDefinition(service) {
  const definition = {};
  for (const method of service.methods) {
    const { input, output, methodKind } = method;
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: methodKind === "client_streaming" || methodKind === "bidi_streaming",
      responseStream: methodKind === "server_streaming" || methodKind === "bidi_streaming",
      requestSerialize: (message) => Buffer.from(toBinary(input, message)),
      requestDeserialize: (bytes) => fromBinary(input, bytes),
      responseSerialize: (message) => Buffer.from(toBinary(output, message)),
      responseDeserialize: (bytes) => fromBinary(output, bytes),
    };
  }
  return definition;
}

const LedgerServiceClient = grpc.makeGenericClientConstructor(
  grpcDefinition(LedgerService),
  "LedgerService",
);

/**
 * A connected ledger: `ledger.signAgreement(request)` and so on for each unary method, each
 * resolving to the reply message or rejecting with grpc-js's error (code, details, metadata).
 * A token is sent as `authorization: Bearer <token>`; `timeoutSeconds` bounds every call.
 */
export function connectLedger(target, { token = "", timeoutSeconds = 10, credentials } = {}) {
  const channelCredentials = credentials ?? grpc.credentials.createInsecure();
  const client = new LedgerServiceClient(target, channelCredentials);
  const ledger = { close: () => client.close() };
  for (const method of LedgerService.methods) {
    if (method.methodKind !== "unary") {
      continue;
    }
    ledger[method.localName] = (request) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (token) {
          metadata.set("authorization", `Bearer ${token}`);
        }
        const deadline = new Date(Date.now() + timeoutSeconds * 1000);
        client[method.localName](request, metadata, { deadline }, (error, reply) =>
          error ? reject(error) : resolve(reply),
        );
      });
  }
  return ledger;
}

"""An independent procwire client: Python grpcio with stubs generated from the .proto only.

Usage: procwire_client.py ADDRESS TOKEN (with the generated stubs on PYTHONPATH).
Runs exec / write (unary, bulk, WriteInputCalls) / read / wait against a procwire gRPC server and prints one JSON object with
what it saw; packages/grpc/test/python-client.test.ts runs it and checks the result.
"""
import hashlib
import importlib.util
import json
import os
import sys
import uuid

import grpc
from procwire.v1 import procwire_pb2 as pb
from procwire.v1 import procwire_pb2_grpc as pb_grpc


def load_health_pb2():
    """The generated grpc/health/v1/health_pb2.py, loaded by path: the name `grpc` is grpcio's."""
    for root in sys.path:
        path = os.path.join(root, "grpc", "health", "v1", "health_pb2.py")
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location("procwire_health_pb2", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError("grpc/health/v1/health_pb2.py is not on PYTHONPATH")


def read_all(stub, metadata, process_id, fd):
    """ReadOutput from offset 0 to EOF, checking that each chunk continues the previous one."""
    data = b""
    for chunk in stub.ReadOutput(pb.ReadOutputRequest(process_id=process_id, fd=fd, offset=0), metadata=metadata):
        if chunk.offset != len(data):
            raise AssertionError("chunk at %d, expected %d" % (chunk.offset, len(data)))
        data += chunk.data
    return data


def main():
    address, token = sys.argv[1], sys.argv[2]
    metadata = (("authorization", "Bearer " + token),)
    result = {}
    with grpc.insecure_channel(address) as channel:
        stub = pb_grpc.ProcwireStub(channel)
        health_pb2 = load_health_pb2()
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        result["health"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
            check(health_pb2.HealthCheckRequest(service="procwire.v1.Procwire")).status
        )

        # exec cat, write stdin in two unary writes (the second one a retry that overlaps), read, wait.
        cat_id = "py-" + uuid.uuid4().hex
        info = stub.Start(pb.StartRequest(process_id=cat_id, argv=["sh", "-c", "cat; exit 3"]), metadata=metadata)
        result["started"] = info.process_id == cat_id and info.state == pb.PROCESS_STATE_RUNNING
        again = stub.Start(pb.StartRequest(process_id=cat_id, argv=["false"]), metadata=metadata)
        result["idempotent_start"] = list(again.argv) == ["sh", "-c", "cat; exit 3"]
        first = stub.WriteInput(pb.WriteInputRequest(process_id=cat_id, offset=0, data=b"hello "), metadata=metadata)
        second = stub.WriteInput(
            pb.WriteInputRequest(process_id=cat_id, offset=0, data=b"hello from python\n", eof=True),
            metadata=metadata,
        )
        result["write_offsets"] = [first.offset, second.offset, second.eof]
        result["stdout"] = read_all(stub, metadata, cat_id, 1).decode()
        status = stub.Wait(pb.ProcessRequest(process_id=cat_id), metadata=metadata)
        result["exit"] = {"code": status.code, "which": status.WhichOneof("status"), "exit_code": status.exit_code}

        # The client-streaming bulk path: 1 MiB in 64 KiB messages, echoed and hashed.
        bulk_id = "py-bulk-" + uuid.uuid4().hex
        stub.Start(pb.StartRequest(process_id=bulk_id, argv=["cat"]), metadata=metadata)
        payload = bytes((i * 31) % 251 for i in range(1 << 20))
        piece = 64 * 1024

        def messages():
            for start in range(0, len(payload), piece):
                end = start + piece
                yield pb.WriteInputRequest(
                    process_id=bulk_id, offset=start, data=payload[start:end], eof=end >= len(payload)
                )

        written = stub.WriteInputStream(messages(), metadata=metadata)
        echoed = read_all(stub, metadata, bulk_id, 1)
        result["bulk"] = {
            "written": written.offset,
            "eof": written.eof,
            "same": hashlib.sha256(echoed).hexdigest() == hashlib.sha256(payload).hexdigest(),
        }

        # WriteInputCalls: independent writes on one bidirectional call, answered by call_id.
        calls_id = "py-calls-" + uuid.uuid4().hex
        stub.Start(pb.StartRequest(process_id=calls_id, argv=["cat"]), metadata=metadata)
        writes = [
            pb.InputCall(call_id=1, write=pb.WriteInputRequest(process_id=calls_id, offset=0, data=b"ab")),
            pb.InputCall(call_id=2, write=pb.WriteInputRequest(process_id="py-missing", offset=0, data=b"x")),
            pb.InputCall(call_id=3, write=pb.WriteInputRequest(process_id=calls_id, offset=2, data=b"cd\n", eof=True)),
        ]
        answers = {}
        for answer in stub.WriteInputCalls(iter(writes), metadata=metadata):
            if answer.WhichOneof("outcome") == "response":
                answers[str(answer.call_id)] = [answer.response.offset, answer.response.eof]
            else:
                answers[str(answer.call_id)] = [answer.error.code, answer.error.procwire_code]
        result["input_calls"] = {"answers": answers, "stdout": read_all(stub, metadata, calls_id, 1).decode()}

        # A signal: the exit status names it.
        sleep_id = "py-sleep-" + uuid.uuid4().hex
        stub.Start(pb.StartRequest(process_id=sleep_id, argv=["sleep", "30"]), metadata=metadata)
        stub.Signal(pb.SignalRequest(process_id=sleep_id, signal="SIGKILL"), metadata=metadata)
        killed = stub.Wait(pb.ProcessRequest(process_id=sleep_id), metadata=metadata)
        result["killed"] = {"signal": killed.signal, "exit_code": killed.exit_code}

        try:
            stub.Get(pb.ProcessRequest(process_id="py-missing"), metadata=metadata)
            result["missing"] = "found?"
        except grpc.RpcError as error:
            result["missing"] = error.code().name

        try:
            stub.List(pb.ListRequest())
            result["no_token"] = "allowed?"
        except grpc.RpcError as error:
            result["no_token"] = error.code().name

    print(json.dumps(result))


if __name__ == "__main__":
    main()

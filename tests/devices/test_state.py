from devices.state import DeviceState, DeviceStatus


def test_status_serialises_to_the_api_shape() -> None:
    status = DeviceStatus("scanner", "document_scanner", DeviceState.DEGRADED, "feeder empty")
    assert status.to_dict() == {
        "name": "scanner", "kind": "document_scanner", "state": "degraded", "detail": "feeder empty"
    }


def test_states_are_the_api_names() -> None:
    names = ["absent", "connecting", "ready", "busy", "degraded", "error"]
    assert [state.value for state in DeviceState] == names
    assert DeviceState("ready") is DeviceState.READY

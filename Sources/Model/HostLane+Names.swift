import SimScenario
import SimTrace

extension HostLane {
    /// The main thread's lane name (`LaneNames`), the same in the model and in a measured trace.
    public var laneName: String {
        switch self {
        case .mainThread: return LaneNames.mainThread
        case .hub: return LaneNames.hub
        case .eventLoop: return LaneNames.eventLoop
        }
    }
}

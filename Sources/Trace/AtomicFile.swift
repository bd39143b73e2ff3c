import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary file in the
/// same folder, which is then renamed over the destination (rename(2) is atomic within a file system).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `data` to `path`, creating the parent folders.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, reason: error.localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// Writes a UTF-8 string.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// A path for a temporary file beside `path`, for producers that write files themselves (Cairo);
    /// rename it over `path` with `commit(temporary:to:)`.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    }

    /// Renames a finished temporary file over its destination.
    public static func commit(temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// Checks, before any long work, that files can later be written into `folder` (created then if missing):
    /// the nearest part of the path that exists must be a folder that accepts a new file, probed with a file
    /// created and removed at once. A permission check would not do: root passes every `access(2)` check, yet
    /// cannot create files under /proc or on a read-only mount.
    /// - Throws: `WriteError` naming the folder and why.
    public static func checkWritableFolder(_ folder: String) throws {
        var existing = URL(fileURLWithPath: folder).standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: existing.path, isDirectory: &isFolder) {
            existing.deleteLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw WriteError(path: folder, reason: "\(existing.path) is a file, not a folder")
        }
        let probe = existing.appendingPathComponent(".simulate-probe-\(getpid())").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw WriteError(path: folder, reason: "cannot create a file in \(existing.path) (\(String(cString: strerror(errno))))")
        }
        close(descriptor)
        unlink(probe)
    }
}

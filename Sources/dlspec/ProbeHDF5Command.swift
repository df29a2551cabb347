import ArgumentParser
import DLTrain

/// `dlspec _probe-hdf5 --cpu-seconds N --memory-mb M -- FILE`: the child `HDF5Probe` runs
/// before dlspec opens an HDF5 file. Walks the file's metadata under those limits and exits
/// (0: walked; 3: too much memory); a crash or hang in libhdf5 ends only this process.
/// Hidden: it is dlspec's own plumbing, not a command for users.
struct ProbeHDF5Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "_probe-hdf5",
    abstract: "Walk an HDF5 file's metadata in isolation (internal).",
    shouldDisplay: false)

  @Option(help: "CPU seconds before SIGXCPU.")
  var cpuSeconds: Int

  @Option(help: "Address space the walk may add, in MiB.")
  var memoryMb: Int

  @Argument(help: "The HDF5 file.")
  var file: String

  func run() throws {
    HDF5Probe.runChild(
      file, limits: HDF5Probe.Limits(cpuSeconds: cpuSeconds, memoryBytes: memoryMb << 20))
  }
}

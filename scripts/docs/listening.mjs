// Preloaded into each example program by test/Examples.test.ts (`node --import`): tells the test,
// over the IPC channel, when the program starts listening on a TCP port, so a server example can be
// requested and then stopped without the test guessing when it is ready.
import * as Net from "node:net"

const listen = Net.Server.prototype.listen
Net.Server.prototype.listen = function(...args) {
  this.once("listening", () => {
    const address = this.address()
    if (process.send !== undefined && address !== null && typeof address === "object") {
      process.send({ listening: address.port })
    }
  })
  return listen.apply(this, args)
}

/**
 * A request body on its way to the origin, watched so that a client's fault is never
 * taken for the origin's: who the upload is waiting on when the time runs out (a stalled
 * client, or an origin that does not read), and whether the client broke it off.
 */
import type { Watchdog } from "./watchdog";

/** Waiting for the client's next chunk, for the origin to take one, finished, or broken off by the client. */
export type UploadState = "client" | "origin" | "done" | "broke";

/**
 * Passes a request body on chunk by chunk. Each chunk from the client is progress for
 * the watchdog, so a slow but steady upload is never timed out; a client that goes
 * silent is. When the client's stream breaks, the origin's request is aborted (never
 * ended cleanly: the origin would take the bytes so far for the whole body).
 *
 * A body of declared length goes through a native `FixedLengthStream`, so the origin
 * gets the same Content-Length (and sees a short body as broken); one without a length
 * goes through a JS stream pulled one chunk at a time.
 */
export class Upload {
  /** What the fetch sends. */
  readonly body: ReadableStream<Uint8Array>;
  /** Aborts the origin's request; its signal goes to the fetch. */
  readonly controller = new AbortController();
  state: UploadState = "client";

  constructor(source: ReadableStream<Uint8Array>, length: number | undefined, watchdog: Watchdog) {
    const reader = source.getReader();
    if (length === undefined) {
      this.body = this.pulled(reader, watchdog);
    } else {
      const fixed = new FixedLengthStream(length);
      this.body = fixed.readable;
      void this.pump(reader, fixed.writable.getWriter(), watchdog);
    }
  }

  /** The client broke the upload off: the origin's request is aborted with it. */
  private broke(error: unknown): void {
    this.state = "broke";
    this.controller.abort(error);
  }

  private async pump(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    writer: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>,
    watchdog: Watchdog,
  ): Promise<void> {
    for (;;) {
      this.state = "client";
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        this.broke(error);
        await writer.abort(error).catch(() => undefined);
        return;
      }
      if (chunk.done) {
        // Rejects if the client sent fewer bytes than it declared.
        await writer.close().then(
          () => {
            this.state = "done";
          },
          (error: unknown) => this.broke(error),
        );
        return;
      }
      watchdog.touch();
      this.state = "origin";
      try {
        await writer.write(chunk.value);
      } catch (error) {
        // The fetch stopped reading (the origin answered or went away): so do we.
        this.state = "done";
        await reader.cancel(error).catch(() => undefined);
        return;
      }
    }
  }

  private pulled(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    watchdog: Watchdog,
  ): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.state = "client";
          try {
            const chunk = await reader.read();
            if (chunk.done) {
              this.state = "done";
              controller.close();
            } else {
              watchdog.touch();
              this.state = "origin";
              controller.enqueue(chunk.value);
            }
          } catch (error) {
            this.broke(error);
            controller.error(error);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }
}

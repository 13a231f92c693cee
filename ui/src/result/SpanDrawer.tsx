import type { SpanView } from "../bindings";
import { Drawer } from "../components/Modal";
import { RequestBlock, ResponseBlock } from "../components/CallDetail";
import { formatMs } from "./waterfall";

/** `batch`: whether the call is of a batch node (its batch size is shown only then). */
export function SpanDrawer({ span, batch, onClose }: { span: SpanView; batch: boolean; onClose: () => void }) {
  return (
    <Drawer title={`${span.source} · ${span.operation}`} onClose={onClose} testId="span-detail">
      <dl className="kv">
        <dt>node</dt><dd>{span.node}</dd>
        <dt>timing</dt><dd>{formatMs(span.startMs)} → {formatMs(span.endMs)} ({formatMs(span.endMs - span.startMs)})</dd>
        {batch && (
          <>
            <dt>batch size</dt><dd>{span.batchSize}</dd>
          </>
        )}
        {span.shared && (
          <>
            <dt>shared</dt>
            <dd>an identical request was already in flight; this call used its answer and sent nothing</dd>
          </>
        )}
        <dt>attempt</dt><dd>{span.attempt}</dd>
        <dt>bytes</dt><dd>{span.bytes}</dd>
      </dl>
      <RequestBlock request={span.request} />
      <ResponseBlock status={span.status} response={span.response} error={span.error} category={span.category} />
    </Drawer>
  );
}

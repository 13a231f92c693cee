import type { SpanView } from "../bindings";
import { Drawer } from "../components/Modal";
import { RequestBlock, ResponseBlock } from "../components/CallDetail";
import { formatMs } from "./waterfall";

export function SpanDrawer({ span, onClose }: { span: SpanView; onClose: () => void }) {
  return (
    <Drawer title={`${span.source} · ${span.operation}`} onClose={onClose} testId="span-detail">
      <dl className="kv">
        <dt>node</dt><dd>{span.node}</dd>
        <dt>timing</dt><dd>{formatMs(span.startMs)} → {formatMs(span.endMs)} ({formatMs(span.endMs - span.startMs)})</dd>
        <dt>batch size</dt><dd>{span.batchSize}</dd>
        <dt>attempt</dt><dd>{span.attempt}</dd>
        <dt>bytes</dt><dd>{span.bytes}</dd>
      </dl>
      <RequestBlock request={span.request} />
      <ResponseBlock status={span.status} response={span.response} error={span.error} category={span.category} />
    </Drawer>
  );
}

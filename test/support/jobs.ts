import type { Job, Queue } from 'bullmq';

/**
 * Wait for job `id` to complete, and return it as stored at completion. The job is read again once
 * its state says completed: a copy read before that moment has no return value yet.
 */
export async function completedJob(queue: Queue, id: string, timeoutMs = 20_000): Promise<Job> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed') return (await queue.getJob(id))!;
    if (Date.now() > end) throw new Error(`job ${id} still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

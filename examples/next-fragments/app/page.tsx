import { Studio } from '../components/Studio';

export default function Page() {
  return <Studio />;
}
